# Embeds config/shop.json as the built-in defaults (and the list of known keys).
file(READ ${IN} text)
file(WRITE ${OUT}.tmp "// Generated from config/shop.json. Do not edit.\nnamespace shop {\nextern const char* const kDefaultConfigJson;\nconst char* const kDefaultConfigJson = R\"shop_cfg(${text})shop_cfg\";\n}\n")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
