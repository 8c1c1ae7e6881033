import sys, collections
f=sys.argv[1]; n=int(sys.argv[2]) if len(sys.argv)>2 else 25
selfc=collections.Counter(); incl=collections.Counter(); total=0
for line in open(f):
    line=line.rstrip()
    if not line: continue
    stack,_,cnt=line.rpartition(' ')
    c=int(cnt); total+=c
    frames=stack.split(';')
    selfc[frames[-1]]+=c
    for fr in set(frames): incl[fr]+=c
print("total samples",total)
print("-- self")
for k,v in selfc.most_common(n): print("%5.1f%% %s"%(100*v/total,k[:150]))
print("-- inclusive (io.ipam / key)")
keys=[k for k in incl if ('io/ipam' in k or 'io.ipam' in k or 'park' in k.lower() or 'yield' in k.lower() or 'agrona' in k)]
for k in sorted(keys,key=lambda k:-incl[k])[:n]: print("%5.1f%% %s"%(100*incl[k]/total,k[:150]))
