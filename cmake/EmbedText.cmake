# Embeds a text file as `const char* const NAME` in namespace NS.
file(READ ${IN} text)
file(WRITE ${OUT}.tmp "// Generated from ${IN}. Do not edit.\nnamespace ${NS} {\nextern const char* const ${NAME};\nconst char* const ${NAME} = R\"shop_txt(${text})shop_txt\";\n}\n")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
