# Layer libraries. Each folder of src/ is one library that lists the layers it may use; the
# build enforces the direction. A layer compiles against an include view of its own: a directory
# of symbolic links to exactly the folders of src/ it may reach (itself and the closure of its
# dependencies). `#include "handlers/common.hpp"` from domain/ therefore fails to compile
# ("No such file or directory"), as Envoy's BUILD files make an undeclared dependency fail.
#
#   carat_layer(<folder> [OBJECT|INTERFACE] [EXTRA_SOURCES ...] DEPS <layer>... LIBS <target>...)
#
# A layer's sources are every .cpp below src/<folder>/ (found again when a file is added), plus
# EXTRA_SOURCES (generated files).
# Layers must be declared after their dependencies. docs/architecture.md has the picture;
# tests/layering checks that a back-edge include fails and an allowed one compiles.

set(CARAT_LAYER_VIEWS ${CMAKE_BINARY_DIR}/layers)
# Views are rebuilt at every configure, so a dependency removed from a layer is gone from its view.
file(REMOVE_RECURSE ${CARAT_LAYER_VIEWS})

function(carat_layer name)
  cmake_parse_arguments(PARSE_ARGV 1 L "OBJECT;INTERFACE" "" "EXTRA_SOURCES;DEPS;LIBS")
  set(closure ${name})
  foreach(dep IN LISTS L_DEPS)
    get_property(known GLOBAL PROPERTY CARAT_LAYER_CLOSURE_${dep} SET)
    if(NOT known)
      message(FATAL_ERROR "layer ${name}: dependency ${dep} is not a layer declared before it")
    endif()
    get_property(dep_closure GLOBAL PROPERTY CARAT_LAYER_CLOSURE_${dep})
    list(APPEND closure ${dep_closure})
  endforeach()
  list(REMOVE_DUPLICATES closure)
  list(SORT closure)
  set_property(GLOBAL PROPERTY CARAT_LAYER_CLOSURE_${name} ${closure})

  set(view ${CARAT_LAYER_VIEWS}/${name})
  file(MAKE_DIRECTORY ${view})
  foreach(folder IN LISTS closure)
    file(CREATE_LINK ${CMAKE_SOURCE_DIR}/src/${folder} ${view}/${folder} SYMBOLIC)
  endforeach()
  set_property(GLOBAL PROPERTY CARAT_LAYER_VIEW_${name} ${view})

  set(target carat_${name})
  if(L_INTERFACE)
    add_library(${target} INTERFACE)
    target_link_libraries(${target} INTERFACE ${L_LIBS})
    foreach(dep IN LISTS L_DEPS)
      target_link_libraries(${target} INTERFACE carat_${dep})
    endforeach()
    return()
  endif()
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/${name}/*.cpp)
  list(SORT sources)
  if(L_OBJECT)
    add_library(${target} OBJECT ${sources} ${L_EXTRA_SOURCES})
  else()
    add_library(${target} STATIC ${sources} ${L_EXTRA_SOURCES})
  endif()
  # PRIVATE: a layer's view is never inherited by the layers above it.
  target_include_directories(${target} PRIVATE ${view} ${CMAKE_BINARY_DIR}/generated)
  target_compile_definitions(${target} PUBLIC BOOST_ASIO_NO_DEPRECATED
                                              BOOST_BEAST_USE_STD_STRING_VIEW)
  foreach(dep IN LISTS L_DEPS)
    target_link_libraries(${target} PUBLIC carat_${dep})
  endforeach()
  target_link_libraries(${target} PUBLIC ${L_LIBS})
endfunction()

# carat_layer_view(<layer> <out-var>): the include view of a declared layer (tests/layering).
function(carat_layer_view name out)
  get_property(view GLOBAL PROPERTY CARAT_LAYER_VIEW_${name})
  set(${out} ${view} PARENT_SCOPE)
endfunction()
