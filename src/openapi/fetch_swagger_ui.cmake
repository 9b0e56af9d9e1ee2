# Provides the pinned swagger-ui-dist package for /docs: from a tarball given by the builder, from
# the copy cached in the build tree, or from the npm registry. Run at build time by
# cmake/docs.cmake:
#   cmake -DNPM=<npm> -DVERSION=<x.y.z> -DSHA256=<hex> -DTARBALL=<optional .tgz> -DDEST=<dir> -P ...
#
# The tarball is checked against the pinned SHA-256 whatever its origin, so an upgrade is always a
# deliberate edit of cmake/docs.cmake, never whatever the registry serves that day.
cmake_minimum_required(VERSION 3.25)

set(tgz_name "swagger-ui-dist-${VERSION}.tgz")
set(cached "${DEST}/${tgz_name}")
file(MAKE_DIRECTORY "${DEST}")

if(TARBALL)
  set(source "${TARBALL}")
elseif(EXISTS "${cached}")
  set(source "${cached}")
else()
  if(NOT NPM)
    message(FATAL_ERROR
      "swagger-ui-dist ${VERSION} is needed to build /docs, but npm was not found.\n"
      "Install Node.js and npm (scripts/install-deps.sh does), then re-run cmake; or download "
      "${tgz_name} elsewhere and configure with -DCARAT_SWAGGER_UI_TARBALL=/path/to/${tgz_name}.")
  endif()
  message(STATUS "Fetching swagger-ui-dist@${VERSION} from the npm registry")
  # A private npm cache keeps the build independent of (and from writing to) the user's ~/.npm.
  execute_process(
    COMMAND "${NPM}" pack "swagger-ui-dist@${VERSION}" --pack-destination "${DEST}"
            --cache "${DEST}/npm-cache" --ignore-scripts --no-audit --no-fund --loglevel=error
    WORKING_DIRECTORY "${DEST}"
    RESULT_VARIABLE rc
    OUTPUT_VARIABLE out
    ERROR_VARIABLE err)
  if(NOT rc EQUAL 0 OR NOT EXISTS "${cached}")
    message(FATAL_ERROR
      "npm pack swagger-ui-dist@${VERSION} failed (exit ${rc}); is the npm registry reachable?\n"
      "${out}${err}\n"
      "Offline builds: configure with -DCARAT_SWAGGER_UI_TARBALL=/path/to/${tgz_name}.")
  endif()
  set(source "${cached}")
endif()

file(SHA256 "${source}" actual)
if(NOT actual STREQUAL SHA256)
  if(source STREQUAL cached)
    file(REMOVE "${cached}")
  endif()
  message(FATAL_ERROR
    "${source}: SHA-256 is ${actual}, expected ${SHA256} (swagger-ui-dist ${VERSION}). "
    "Refusing to embed an unverified Swagger UI.")
endif()
if(NOT source STREQUAL cached)
  file(COPY_FILE "${source}" "${cached}")
endif()

# TOUCH: the archive's 1985 timestamps would make the outputs look older than their inputs, and
# Ninja would re-run this step on every build.
file(REMOVE_RECURSE "${DEST}/package")
file(ARCHIVE_EXTRACT INPUT "${cached}" DESTINATION "${DEST}" TOUCH
     PATTERNS package/swagger-ui-bundle.js package/swagger-ui.css package/LICENSE
              package/swagger-ui-bundle.js.LICENSE.txt)
