# Run at install time (resources/CMakeLists.txt): installs brigade.desktop with Exec and
# TryExec naming the installed brigade under the prefix given to `cmake --install` (or
# CPack's /usr), so the menu entry starts this installation whatever PATH the desktop has.
if(IS_ABSOLUTE "${BRIGADE_BINDIR}")
    set(program "${BRIGADE_BINDIR}/brigade")
else()
    set(program "${CMAKE_INSTALL_PREFIX}/${BRIGADE_BINDIR}/brigade")
endif()
set(exec "${program}")
if(program MATCHES "[ \t\"'\\\\$`]")
    # The desktop entry spec's quoting: double quotes, with " ` $ \ escaped.
    string(REGEX REPLACE "([\"`$\\\\])" "\\\\\\1" exec "${program}")
    string(REPLACE "\\" "\\\\" exec "${exec}") # and the string-level escape on top
    set(exec "\"${exec}\"")
endif()
file(READ "${BRIGADE_DESKTOP_SOURCE}" entry)
string(FIND "${entry}" "\nExec=brigade " at)
if(at LESS 0)
    message(FATAL_ERROR "${BRIGADE_DESKTOP_SOURCE}: no \"Exec=brigade ...\" line to point at "
                        "${program}")
endif()
string(REPLACE "\nExec=brigade " "\nTryExec=${program}\nExec=${exec} " entry "${entry}")
file(WRITE "${BRIGADE_DESKTOP_STAGING}/brigade.desktop" "${entry}")
file(INSTALL DESTINATION "${CMAKE_INSTALL_PREFIX}/${BRIGADE_APPLICATIONS_DIR}" TYPE FILE
     FILES "${BRIGADE_DESKTOP_STAGING}/brigade.desktop")
