# Run by the `web` target before bundling: the npm packages must be the ones
# web/package-lock.json pins. The build downloads nothing; scripts/install-deps.sh
# runs `npm ci` and leaves a copy of the lock it installed from as the stamp.
if(NOT EXISTS "${STAMP}")
  message(FATAL_ERROR "web: the phone web app's npm packages are not installed; run scripts/install-deps.sh (or `npm ci` in web/)")
endif()
file(READ "${LOCK}" lock)
file(READ "${STAMP}" installed)
if(NOT lock STREQUAL installed)
  message(FATAL_ERROR "web: web/package-lock.json changed since its packages were installed; run scripts/install-deps.sh (or `npm ci` in web/)")
endif()
