"""Phase shares of a collapsed async-profiler profile of SnapshotRun: python3 phases.py profile.collapsed[.gz]"""
import collections, gzip, sys
f = sys.argv[1]
opener = gzip.open if f.endswith('.gz') else open
tot = 0
inc = collections.Counter()
under = {k: collections.Counter() for k in ('SnapshotCodec.capture', 'SnapshotCodec.write', 'SnapshotReader.read',
                                            'Allocations.load')}
for line in opener(f, 'rt'):
    stack, _, n = line.rstrip().rpartition(' ')
    n = int(n)
    frames = stack.split(';')
    tot += n
    for fr in set(frames):
        inc[fr] += n
    for k, c in under.items():
        for i, fr in enumerate(frames):
            if k in fr:
                c[';'.join(x.split('/')[-1] for x in frames[i + 1:i + 3])] += n
                break
print('total samples (1 ms of CPU each)', tot)
for k in ['SnapshotCodec.capture', 'LifecycleImages.capture', 'SnapshotCodec.write', 'SnapshotData.of',
          'SnapshotWriter.writeTo', 'SubnetColumns.of', 'ColumnWriter.write', 'SnapshotReader.read',
          'SnapshotData.restoreInto', 'Allocations.load']:
    m = max((v for fr, v in inc.items() if k in fr), default=0)
    print('%-28s %6d %5.1f%%' % (k, m, 100.0 * m / tot))
for k, c in under.items():
    print('-- under', k, sum(c.values()))
    for fr, v in c.most_common(6):
        print('   %6d %s' % (v, fr[:140]))
