# Writes the file IN as a C++ raw string literal to OUT.
file(READ "${IN}" content)
file(WRITE "${OUT}" "R\"EC_EMBED(${content})EC_EMBED\"\n")
