# Writes a C++ source defining shop::<MODULE>::embedded_migrations() from the given .sql files.
string(REPLACE "|" ";" FILES "${FILES}")
set(body "")
foreach(f IN LISTS FILES)
  if(f MATCHES "\\.postgresql\\.sql$")
    continue()  # the PostgreSQL text of the migration of the same name, embedded with it below
  endif()
  get_filename_component(fname ${f} NAME_WE)
  get_filename_component(fdir ${f} DIRECTORY)
  string(REGEX MATCH "^([0-9]+)_(.*)$" _ ${fname})
  set(version ${CMAKE_MATCH_1})
  set(mname ${CMAKE_MATCH_2})
  if(version STREQUAL "")
    message(FATAL_ERROR "migration ${f} is not named NNNN_name.sql")
  endif()
  math(EXPR version "${version}")
  file(READ ${f} sqltext)
  set(pg "${fdir}/${fname}.postgresql.sql")
  if(EXISTS ${pg})
    file(READ ${pg} pgtext)
    string(APPEND body "        {${version}, \"${mname}\", R\"shop_sql(${sqltext})shop_sql\", R\"shop_sql(${pgtext})shop_sql\"},\n")
  else()
    string(APPEND body "        {${version}, \"${mname}\", R\"shop_sql(${sqltext})shop_sql\"},\n")
  endif()
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
