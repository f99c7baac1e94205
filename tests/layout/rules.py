#!/usr/bin/env python3
"""The layout rules of libsign, checked on the build (ctest layout.rules):
1. no two source files depend on each other, directly or round a loop: the file-level call
   graph, read from the object files with nm (which .c uses a symbol another .c defines), has
   no cycle (STYLE.md: "an include loop between two files is the sign" of a misplaced helper);
2. the core (libsign/) includes no format header but formats/format.h, the table of formats.
Usage: rules.py OBJECT_DIR SOURCE_DIR"""
import subprocess, sys, glob, os, itertools
objdir = sys.argv[1]
srcdir = sys.argv[2]
objs = glob.glob(objdir + '/**/*.o', recursive=True)
defs, uses = {}, {}
for o in objs:
    name = os.path.relpath(o, objdir).replace('.c.o', '.c')
    out = subprocess.run(['nm', o], capture_output=True, text=True).stdout
    d, u = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in 'TDRB':
            d.add(parts[2])
        elif len(parts) == 2 and parts[0] == 'U':
            u.add(parts[1])
    defs[name] = d; uses[name] = u
owner = {s: f for f, ds in defs.items() for s in ds}
graph = {f: {owner[s] for s in uses[f] if s in owner and owner[s] != f} for f in defs}
# strongly connected components (Tarjan)
index = {}; low = {}; stack = []; on = set(); sccs = []; i = [0]
sys.setrecursionlimit(10000)
def strong(v):
    index[v] = low[v] = i[0]; i[0] += 1; stack.append(v); on.add(v)
    for w in graph[v]:
        if w not in index:
            strong(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop(); on.discard(w); comp.append(w)
            if w == v: break
        if len(comp) > 1: sccs.append(sorted(comp))
for v in graph:
    if v not in index: strong(v)
for c in sccs:
    print('cycle:', ' '.join(c))
    for a in c:
        for b in c:
            if b in graph[a]:
                syms = sorted(s for s in uses[a] if owner.get(s) == b)
                print('   ', a, '->', b, ':', ', '.join(syms[:6]))
if not sccs: print('no cycles')
import re
leaks = []
for root, _, files in os.walk(os.path.join(srcdir, 'libsign')):
    for f in files:
        if f.endswith(('.c', '.h')):
            path = os.path.join(root, f)
            for n, line in enumerate(open(path, encoding='utf-8'), 1):
                m = re.match(r'\s*#\s*include\s+"(formats/[^"]+)"', line)
                if m and m.group(1) != 'formats/format.h':
                    leaks.append('%s:%d includes %s' % (os.path.relpath(path, srcdir), n, m.group(1)))
for leak in leaks:
    print('core includes a format header:', leak)
sys.exit(1 if sccs or leaks else 0)
