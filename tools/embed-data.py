#!/usr/bin/env python3
"""Embed a data file in the library as a C array, so the binary works
wherever it is installed.  usage: embed-data.py INPUT OUTPUT.c SYMBOL"""
import sys

src, out, sym = sys.argv[1:4]
data = open(src, "rb").read()
with open(out, "w") as f:
    f.write("/* Generated from %s by tools/embed-data.py; do not edit. */\n"
            % src.split("/")[-1])
    f.write("#include <stddef.h>\n")
    f.write("extern const char %s[];\nextern const size_t %s_len;\n" % (sym, sym))
    f.write("const char %s[] = {\n" % sym)
    for i in range(0, len(data), 16):
        f.write("\t" + "".join("%d," % b for b in data[i:i + 16]) + "\n")
    f.write("\t0};\nconst size_t %s_len = %d;\n" % (sym, len(data)))
