#!/usr/bin/env python3
"""Prints the import graph between the files of a crate's src/ and fails on any circle.

Usage: module_graph.py crates/web/src [--dot]. An edge a -> b means a file names an item of b
(`use crate::x::y`, `super::z`, `child::f()`); a module declaring its children (`mod x;`) is
not an edge. Rough on purpose: it reads paths as text, which is enough to keep layers one-way.
"""
import os, re, sys

root = sys.argv[1]
files = {}
for d, _, fs in os.walk(root):
    for f in fs:
        if f.endswith('.rs'):
            p = os.path.join(d, f)
            rel = os.path.relpath(p, root)[:-3].split(os.sep)
            if rel[-1] in ('mod', 'lib', 'main'):
                rel = rel[:-1]
            files[tuple(rel)] = p

def resolve(mod, parts):
    """Longest prefix of parts (absolute module path) that is a file."""
    for n in range(len(parts), -1, -1):
        if tuple(parts[:n]) in files:
            return tuple(parts[:n])
    return None

def expand(path):
    m = re.match(r'^(.*?)\{(.*)\}$', path)
    if not m:
        return [path]
    head, inner = m.groups()
    out, depth, cur = [], 0, ''
    for ch in inner:
        if ch == ',' and depth == 0:
            out.append(cur); cur = ''
            continue
        depth += ch == '{'; depth -= ch == '}'
        cur += ch
    out.append(cur)
    res = []
    for o in out:
        o = o.strip()
        if o:
            res += expand(head + o)
    return res

edges = {m: set() for m in files}
for mod, p in files.items():
    src = open(p).read()
    src = re.sub(r'//.*', '', src)
    # Unit tests (`#[cfg(test)] mod tests { use super::*; }`) sit inside their file's module.
    src = src.split('#[cfg(test)]')[0]
    children = {m[-1] for m in files if len(m) == len(mod) + 1 and m[:len(mod)] == mod}
    paths = [u for x in re.findall(r'\buse\s+([^;]+);', src) for u in expand(re.sub(r'\s+', '', x))]
    paths += re.findall(r'\b((?:crate|super|self)(?:::\w+)+)', src)
    paths += [c + '::x' for c in children if re.search(r'(?<![:\w])' + c + r'::', src)]
    for path in paths:
        parts = path.split('::')
        if parts[0] == 'crate':
            base = []
            parts = parts[1:]
        elif parts[0] == 'super':
            base = list(mod[:-1]) if not files[mod].endswith(('mod.rs', 'lib.rs')) else list(mod[:-1])
            # a mod.rs file's module is its folder; super is the folder's parent
            parts = parts[1:]
            while parts and parts[0] == 'super':
                base = base[:-1]; parts = parts[1:]
        elif parts[0] == 'self':
            base = list(mod); parts = parts[1:]
        elif parts[0] in children:
            base = list(mod)
        else:
            continue
        t = resolve(mod, base + parts)
        if t is not None and t != mod:
            edges[mod].add(t)

name = lambda m: '/'.join(m) or 'lib'
if '--dot' in sys.argv:
    print('digraph web {')
    for a in sorted(edges):
        for b in sorted(edges[a]):
            print(f'  "{name(a)}" -> "{name(b)}";')
    print('}')

# Tarjan's strongly connected components
index, low, stack, on, sccs, i = {}, {}, [], set(), [], [0]
def strong(v):
    index[v] = low[v] = i[0]; i[0] += 1; stack.append(v); on.add(v)
    for w in edges[v]:
        if w not in index:
            strong(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop(); on.discard(w); comp.append(w)
            if w == v:
                break
        if len(comp) > 1:
            sccs.append(comp)
sys.setrecursionlimit(10000)
for v in sorted(edges):
    if v not in index:
        strong(v)
print(f'{len(files)} files, {sum(len(e) for e in edges.values())} edges, {len(sccs)} circles')
for c in sccs:
    print('circle:', ' '.join(sorted(name(m) for m in c)))
sys.exit(1 if sccs else 0)
