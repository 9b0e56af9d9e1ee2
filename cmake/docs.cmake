# /openapi.json and /docs (api.md §2.5), compiled into carat_openapi.
#
# Everything the two pages need is embedded at build time: production instances may have no
# internet egress, and the document must be the one of the binary that serves it.
#   - src/openapi/openapi.json, the hand-maintained document (info.version is set at run time);
#   - Swagger UI from the npm package swagger-ui-dist, pinned by version and SHA-256, fetched with
#     `npm pack` into the build tree (once; later builds reuse the cached tarball);
#   - the page itself (src/openapi/docs.html) and its start-up script (src/openapi/docs.js).
# Each file becomes one generated .cpp holding a byte array, compiled once and linked into the
# binary; nothing large is ever included by other translation units.

set(CARAT_SWAGGER_UI_VERSION "5.35.0")
set(CARAT_SWAGGER_UI_SHA256 "1b8e891893404ea4c3558b6a87e2a3e494e7eedba41168c2ece5800a391a6ea6")
set(CARAT_SWAGGER_UI_TARBALL "" CACHE FILEPATH
    "A local swagger-ui-dist-${CARAT_SWAGGER_UI_VERSION}.tgz for offline builds (empty: npm pack)")

find_program(CARAT_NPM npm)
if(NOT CARAT_NPM AND NOT CARAT_SWAGGER_UI_TARBALL)
  # Not fatal here: only the build of the docs assets needs it, and that step explains the fix.
  message(WARNING "npm not found: building /docs (swagger-ui-dist) will fail. "
                  "Install Node.js and npm, or set CARAT_SWAGGER_UI_TARBALL.")
endif()

set(_docs_src ${CMAKE_SOURCE_DIR}/src/openapi)
set(_docs_gen ${CMAKE_BINARY_DIR}/generated/openapi)
set(_swagger_dir ${CMAKE_BINARY_DIR}/_deps/swagger-ui-dist-${CARAT_SWAGGER_UI_VERSION})
set(_swagger_pkg ${_swagger_dir}/package)

add_custom_command(
  OUTPUT ${_swagger_pkg}/swagger-ui-bundle.js ${_swagger_pkg}/swagger-ui.css
         ${_swagger_pkg}/LICENSE ${_swagger_pkg}/swagger-ui-bundle.js.LICENSE.txt
  COMMAND ${CMAKE_COMMAND}
          -DNPM=${CARAT_NPM} -DVERSION=${CARAT_SWAGGER_UI_VERSION}
          -DSHA256=${CARAT_SWAGGER_UI_SHA256} -DTARBALL=${CARAT_SWAGGER_UI_TARBALL}
          -DDEST=${_swagger_dir} -P ${_docs_src}/fetch_swagger_ui.cmake
  DEPENDS ${_docs_src}/fetch_swagger_ui.cmake
  COMMENT "Providing swagger-ui-dist ${CARAT_SWAGGER_UI_VERSION} for /docs"
  VERBATIM)

# Browsers may cache the assets for a day; the page (never cached) references them with this tag,
# so an upgraded Swagger UI or a changed start-up script is picked up at once.
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_docs_src}/docs.js)
file(READ ${_docs_src}/docs.js _docs_js)
string(SHA256 _docs_tag "${CARAT_SWAGGER_UI_VERSION}\n${_docs_js}")
string(SUBSTRING "${_docs_tag}" 0 12 CARAT_DOCS_ASSET_TAG)
configure_file(${_docs_src}/docs.html ${_docs_gen}/docs.html @ONLY)

function(carat_embed input name)
  set(output ${_docs_gen}/${name}.cpp)
  add_custom_command(
    OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} -DINPUT=${input} -DOUTPUT=${output} -DNAME=${name}
            -P ${_docs_src}/embed.cmake
    DEPENDS ${input} ${_docs_src}/embed.cmake
    COMMENT "Embedding ${name}"
    VERBATIM)
  # The arrays need no headers; skipping the PCH keeps these large files cheap to compile.
  set_source_files_properties(${output} PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
  target_sources(carat_openapi PRIVATE ${output})
endfunction()

carat_embed(${_docs_src}/openapi.json embedded_openapi_json)
carat_embed(${_docs_gen}/docs.html embedded_docs_html)
carat_embed(${_docs_src}/docs.js embedded_docs_js)
carat_embed(${_swagger_pkg}/swagger-ui-bundle.js embedded_swagger_ui_bundle_js)
carat_embed(${_swagger_pkg}/swagger-ui.css embedded_swagger_ui_css)
carat_embed(${_swagger_pkg}/LICENSE embedded_swagger_ui_license)
carat_embed(${_swagger_pkg}/swagger-ui-bundle.js.LICENSE.txt embedded_swagger_ui_bundle_license)

