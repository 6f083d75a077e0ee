# Writes a C++ source defining shop::<MODULE>::embedded_migrations() from the given .sql files.
string(REPLACE "|" ";" FILES "${FILES}")
set(body "")
foreach(f IN LISTS FILES)
  get_filename_component(fname ${f} NAME_WE)
  string(REGEX MATCH "^([0-9]+)_(.*)$" _ ${fname})
  set(version ${CMAKE_MATCH_1})
  set(mname ${CMAKE_MATCH_2})
  if(version STREQUAL "")
    message(FATAL_ERROR "migration ${f} is not named NNNN_name.sql")
  endif()
  math(EXPR version "${version}")
  file(READ ${f} sqltext)
  string(APPEND body "        {${version}, \"${mname}\", R\"shop_sql(${sqltext})shop_sql\"},\n")
endforeach()
file(WRITE ${OUT}.tmp
"// Generated from migrations/${MODULE}/*.sql by cmake/EmbedMigrations.cmake. Do not edit.
#include <span>
#include \"platform/migrations.hpp\"

namespace shop::${MODULE} {
std::span<const shop::db::Migration> embedded_migrations() {
    static const shop::db::Migration kMigrations[] = {
${body}        {0, \"\", \"\"}};
    return {kMigrations, sizeof(kMigrations) / sizeof(kMigrations[0]) - 1};
}
}  // namespace shop::${MODULE}
")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
