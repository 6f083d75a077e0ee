# shop_module(<name> [USES m...] [EVENTS_FROM m...] SOURCES ...)
#
# Declares one domain module as two targets:
#   shop_<name>_iface  INTERFACE: the include/ directory, the only thing other modules may see;
#   shop_<name>        STATIC:    the private implementation, linked only by src/app.
# A module links the *interface* targets of the modules it USES or takes EVENTS_FROM, never their
# implementation, so reaching into another module's src/ fails to compile.
# The module's migrations (migrations/<name>/NNNN_*.sql) are embedded into the library.
function(shop_module name)
  cmake_parse_arguments(M "" "" "USES;EVENTS_FROM;SOURCES" ${ARGN})
  add_library(shop_${name}_iface INTERFACE)
  target_include_directories(shop_${name}_iface INTERFACE ${CMAKE_CURRENT_SOURCE_DIR}/include)
  target_link_libraries(shop_${name}_iface INTERFACE shop_platform_iface)

  file(GLOB sql CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/migrations/${name}/*.sql)
  list(SORT sql)
  set(gen ${CMAKE_CURRENT_BINARY_DIR}/migrations_${name}.cpp)
  # A list would be split into separate command arguments: pass the files '|'-separated.
  string(REPLACE ";" "|" sql_arg "${sql}")
  add_custom_command(
    OUTPUT ${gen}
    COMMAND ${CMAKE_COMMAND} -DMODULE=${name} -DOUT=${gen} "-DFILES=${sql_arg}"
            -P ${PROJECT_SOURCE_DIR}/cmake/EmbedMigrations.cmake
    DEPENDS ${sql} ${PROJECT_SOURCE_DIR}/cmake/EmbedMigrations.cmake
    COMMENT "Embedding migrations of ${name}"
    VERBATIM)

  add_library(shop_${name} STATIC ${M_SOURCES} ${gen})
  target_include_directories(shop_${name} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
  target_link_libraries(shop_${name} PUBLIC shop_${name}_iface shop_platform)
  foreach(dep IN LISTS M_USES M_EVENTS_FROM)
    target_link_libraries(shop_${name} PRIVATE shop_${dep}_iface)
  endforeach()
  set_property(GLOBAL APPEND PROPERTY SHOP_MODULE_LIBS shop_${name})
endfunction()
