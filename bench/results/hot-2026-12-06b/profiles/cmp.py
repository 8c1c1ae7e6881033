#!/usr/bin/env python3
"""cmp.py ROOT A.txt nsA B.txt nsB [n]: per-frame ns/op (self and inclusive) within stacks holding ROOT, two profiles side by side."""
import sys, collections
def load(f, root, ns):
    selfc=collections.Counter(); incl=collections.Counter(); tot=0
    for line in open(f):
        st,_,c=line.rstrip().rpartition(' ')
        if root not in st: continue
        c=int(c); tot+=c
        fr=st.split(';'); fr=fr[[i for i,x in enumerate(fr) if root in x][0]:]
        selfc[fr[-1]]+=c
        for x in set(fr): incl[x]+=c
    k=ns/tot
    return {a:b*k for a,b in selfc.items()}, {a:b*k for a,b in incl.items()}
root=sys.argv[1]; sa,ia=load(sys.argv[2],root,float(sys.argv[3])); sb,ib=load(sys.argv[4],root,float(sys.argv[5]))
n=int(sys.argv[6]) if len(sys.argv)>6 else 40
def short(x): return x.replace('io/ipam/core/engine/','').replace('io/ipam/','')[:70]
for title,a,b in (("self",sa,sb),("inclusive",ia,ib)):
    print("--",title,"ns/op   A      B    B-A")
    keys=sorted(set(a)|set(b), key=lambda x:-max(a.get(x,0),b.get(x,0)))[:n]
    for x in keys: print("%-70s %6.1f %6.1f %+6.1f"%(short(x),a.get(x,0),b.get(x,0),b.get(x,0)-a.get(x,0)))
