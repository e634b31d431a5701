# One place for compile flags: every Brigade target links brigade_common.
add_library(brigade_common INTERFACE)
target_compile_features(brigade_common INTERFACE cxx_std_17)
target_compile_options(brigade_common INTERFACE -Wall -Wextra -Wpedantic)
target_compile_definitions(brigade_common INTERFACE
    QT_NO_CAST_TO_ASCII
    QT_NO_URL_CAST_FROM_STRING
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
    BRIGADE_VERSION="${PROJECT_VERSION}")

option(BRIGADE_WERROR "Treat warnings as errors" OFF)
if(BRIGADE_WERROR)
    target_compile_options(brigade_common INTERFACE -Werror)
endif()

set(BRIGADE_SANITIZE "" CACHE STRING "Sanitizers to build with, e.g. address,undefined or thread")
if(BRIGADE_SANITIZE)
    target_compile_options(brigade_common INTERFACE -fsanitize=${BRIGADE_SANITIZE} -fno-omit-frame-pointer)
    target_link_options(brigade_common INTERFACE -fsanitize=${BRIGADE_SANITIZE})
endif()

if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
    set(CMAKE_BUILD_TYPE RelWithDebInfo CACHE STRING "Build type" FORCE)
endif()
