# Debian packages. In the build directory, `cpack -G DEB` makes two:
#   brigade_<version>-1_<arch>.deb         the window and the command line, menu entry,
#                                          icons, AppStream data, man page, demos, docs
#   brigade-worker_<version>-1_<arch>.deb  the worker alone (QtCore/QtNetwork, no Qt GUI),
#                                          for ssh hosts and Slurm nodes
# brigade depends on brigade-worker of exactly its version rather than containing a copy:
# every file then has one owner, so a machine can have both without Conflicts/Replaces
# tricks, and upgrading brigade upgrades its worker with it.
# packaging/check-deb.sh installs them on a fresh Debian 12 and runs them.
set(CPACK_PACKAGE_NAME brigade)
set(CPACK_PACKAGE_VENDOR "Brigade project")
set(CPACK_PACKAGE_CONTACT "Brigade project <maintainers@brigade.example.org>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_COMPONENTS_ALL app worker)
set(CPACK_DEB_COMPONENT_INSTALL ON)
# Each package's first description line is its summary; a shared one would be put in
# front of both.
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "")

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends: from the libraries the binaries link (dpkg-shlibdeps, from dpkg-dev) ...
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)

set(CPACK_DEBIAN_WORKER_PACKAGE_NAME brigade-worker)
set(CPACK_DEBIAN_WORKER_DESCRIPTION "worker program of the Brigade job runner
brigade-worker runs task attempts for a Brigade engine, speaking binary frames
on stdin and stdout. Install it on the machines where Brigade starts workers
through ssh, Slurm (srun) or a launcher command; they need brigade-worker on
their PATH. It needs no display and no Qt GUI libraries.")

set(CPACK_DEBIAN_APP_PACKAGE_NAME brigade)
# ... plus what Qt loads as plugins, which dpkg-shlibdeps cannot see: SQLite for the
# journal, the SVG icon engine for the window's icons. (CPack's own component
# dependency would say "= <version>" without the "-1" release, which no package has.)
set(CPACK_DEBIAN_APP_PACKAGE_DEPENDS
    "brigade-worker (= ${PROJECT_VERSION}-${CPACK_DEBIAN_PACKAGE_RELEASE}), libqt6sql6-sqlite, libqt6svg6")
set(CPACK_DEBIAN_APP_DESCRIPTION "job runner: a worker process per core, live progress, nothing lost
Brigade runs thousands of independent tasks on every core of the machine,
shows the work live, retries what failed without rerunning what succeeded,
and loses nothing when it crashes: every run is journaled, so an interrupted
run resumes where it stopped.
.
It has a desktop window and a headless command line (brigade run) over one
engine, and runs workers on other machines through ssh, Slurm or any
launcher command (those need the brigade-worker package).")

include(CPack)
