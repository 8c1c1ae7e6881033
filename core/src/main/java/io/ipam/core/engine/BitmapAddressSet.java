package io.ipam.core.engine;

import java.util.Arrays;
import java.util.function.LongConsumer;

/**
 * Up to 2^32 offsets as plain 64-bit words, made lazily in chunks of 2^16 bits, with summaries so that a search
 * never reads a full word, chunk or page:
 * <pre>
 *   page  (2^24 offsets): up to 256 chunks, a count per chunk; pages in one array of at most 256
 *   chunk (2^16 offsets): long[words + summary], words = 1,024 (fewer for a subnet smaller than a chunk),
 *                         summary = one bit per word, set while the word is full (all 64 bits)
 * </pre>
 * A chunk, once made, is kept when it empties again, so a subnet that goes from empty to one address and back
 * allocates nothing after the first time. An empty set costs the page array (at most 256 references: 1 KiB).
 * Single-threaded.
 */
final class BitmapAddressSet extends AddressSet
{
    static final int CHUNK_BITS = 16;
    static final int CHUNK_SIZE = 1 << CHUNK_BITS;
    static final int PAGE_BITS = 24;
    private static final int CHUNKS_PER_PAGE = 1 << (PAGE_BITS - CHUNK_BITS);
    private static final long PAGE_SIZE = 1L << PAGE_BITS;

    private final long lastOffset;
    private final int chunkWords;        // words in every chunk: 1,024, or fewer when the subnet is smaller
    private final int summaryWords;
    private final int chunkCapacity;     // offsets a chunk holds
    private final Page[] pages;
    private long cardinality;

    private static final class Page
    {
        final long[][] chunks;
        final int[] counts;
        long count;

        Page(final int chunkCount)
        {
            chunks = new long[chunkCount][];
            counts = new int[chunkCount];
        }
    }

    BitmapAddressSet(final long lastOffset)
    {
        this.lastOffset = lastOffset;
        final long size = lastOffset + 1;
        chunkCapacity = (int)Math.min(size, CHUNK_SIZE);
        chunkWords = (chunkCapacity + 63) >>> 6;
        summaryWords = (chunkWords + 63) >>> 6;
        pages = new Page[(int)((size + PAGE_SIZE - 1) >>> PAGE_BITS)];
    }

    private long[] chunkFor(final long offset)
    {
        final int p = (int)(offset >>> PAGE_BITS);
        Page page = pages[p];
        if (page == null)
        {
            final long pageFirst = (long)p << PAGE_BITS;
            final long inPage = Math.min(PAGE_SIZE, lastOffset + 1 - pageFirst);
            page = new Page((int)((inPage + CHUNK_SIZE - 1) >>> CHUNK_BITS));
            pages[p] = page;
        }
        final int c = (int)(offset >>> CHUNK_BITS) & (CHUNKS_PER_PAGE - 1);
        long[] chunk = page.chunks[c];
        if (chunk == null)
        {
            chunk = new long[chunkWords + summaryWords];
            page.chunks[c] = chunk;
        }
        return chunk;
    }

    @Override
    boolean add(final long offset)
    {
        final long[] chunk = chunkFor(offset);
        final int w = (int)(offset >>> 6) & (CHUNK_SIZE / 64 - 1);
        final long word = chunk[w];
        final long bit = 1L << offset;
        if ((word & bit) != 0)
        {
            return false;
        }
        final long updated = word | bit;
        chunk[w] = updated;
        if (updated == -1L)
        {
            chunk[chunkWords + (w >>> 6)] |= 1L << w;
        }
        final Page page = pages[(int)(offset >>> PAGE_BITS)];
        page.counts[(int)(offset >>> CHUNK_BITS) & (CHUNKS_PER_PAGE - 1)]++;
        page.count++;
        cardinality++;
        return true;
    }

    @Override
    boolean remove(final long offset)
    {
        final Page page = pages[(int)(offset >>> PAGE_BITS)];
        if (page == null)
        {
            return false;
        }
        final int c = (int)(offset >>> CHUNK_BITS) & (CHUNKS_PER_PAGE - 1);
        final long[] chunk = page.chunks[c];
        if (chunk == null)
        {
            return false;
        }
        final int w = (int)(offset >>> 6) & (CHUNK_SIZE / 64 - 1);
        final long word = chunk[w];
        final long bit = 1L << offset;
        if ((word & bit) == 0)
        {
            return false;
        }
        if (word == -1L)
        {
            chunk[chunkWords + (w >>> 6)] &= ~(1L << w);
        }
        chunk[w] = word & ~bit;
        page.counts[c]--;
        page.count--;
        cardinality--;
        return true;
    }

    @Override
    boolean contains(final long offset)
    {
        final Page page = pages[(int)(offset >>> PAGE_BITS)];
        if (page == null)
        {
            return false;
        }
        final long[] chunk = page.chunks[(int)(offset >>> CHUNK_BITS) & (CHUNKS_PER_PAGE - 1)];
        return chunk != null && (chunk[(int)(offset >>> 6) & (CHUNK_SIZE / 64 - 1)] & (1L << offset)) != 0;
    }

    @Override
    boolean nextAbsent(final long from, final long to)
    {
        long cursor = from;
        while (cursor <= to)
        {
            final int p = (int)(cursor >>> PAGE_BITS);
            final Page page = pages[p];
            final long pageFirst = (long)p << PAGE_BITS;
            if (page == null)
            {
                found = cursor;
                return true;
            }
            if (page.count == PAGE_SIZE)
            {
                cursor = pageFirst + PAGE_SIZE;
                continue;
            }
            int c = (int)(cursor >>> CHUNK_BITS) & (CHUNKS_PER_PAGE - 1);
            final int chunkCount = page.chunks.length;
            while (c < chunkCount && cursor <= to)
            {
                final long[] chunk = page.chunks[c];
                if (chunk == null || page.counts[c] == 0)
                {
                    found = cursor;
                    return true;
                }
                final long chunkFirst = pageFirst + ((long)c << CHUNK_BITS);
                if (page.counts[c] < chunkCapacity)
                {
                    final long inChunk = searchChunk(chunk, (int)(cursor - chunkFirst));
                    if (inChunk >= 0)
                    {
                        found = chunkFirst + inChunk;
                        return found <= to;
                    }
                }
                c++;
                cursor = chunkFirst + CHUNK_SIZE;
            }
            if (c >= chunkCount)
            {
                cursor = pageFirst + PAGE_SIZE;
            }
        }
        return false;
    }

    /**
     * @return the lowest clear bit at or after {@code bit} in the chunk (it may lie past the subnet's end in the
     * last word of a small subnet), or -1.
     */
    private long searchChunk(final long[] chunk, final int bit)
    {
        int w = bit >>> 6;
        final long first = chunk[w] | ((1L << bit) - 1);
        if (first != -1L)
        {
            return ((long)w << 6) + Long.numberOfTrailingZeros(~first);
        }
        w++;
        if (w >= chunkWords)
        {
            return -1;
        }
        int s = w >>> 6;
        long free = ~chunk[chunkWords + s] & (-1L << w);
        while (true)
        {
            if (free != 0)
            {
                final int word = (s << 6) + Long.numberOfTrailingZeros(free);
                if (word >= chunkWords)
                {
                    return -1;
                }
                return ((long)word << 6) + Long.numberOfTrailingZeros(~chunk[word]);
            }
            if (++s >= summaryWords)
            {
                return -1;
            }
            free = ~chunk[chunkWords + s];
        }
    }

    @Override
    long cardinality()
    {
        return cardinality;
    }

    @Override
    long cardinality(final long from, final long to)
    {
        long count = 0;
        long cursor = from;
        while (cursor <= to)
        {
            final Page page = pages[(int)(cursor >>> PAGE_BITS)];
            final long chunkFirst = cursor & -CHUNK_SIZE;
            final long chunkLast = Math.min(chunkFirst + CHUNK_SIZE - 1, to);
            final long[] chunk = page == null ? null :
                page.chunks[(int)(cursor >>> CHUNK_BITS) & (CHUNKS_PER_PAGE - 1)];
            if (chunk != null)
            {
                if (cursor == chunkFirst && chunkLast == chunkFirst + CHUNK_SIZE - 1)
                {
                    count += page.counts[(int)(cursor >>> CHUNK_BITS) & (CHUNKS_PER_PAGE - 1)];
                }
                else
                {
                    for (long o = cursor; o <= chunkLast; )
                    {
                        final int w = (int)(o >>> 6) & (CHUNK_SIZE / 64 - 1);
                        final long wordLast = Math.min((o | 63), chunkLast);
                        long mask = -1L << o;
                        if ((wordLast & 63) != 63)
                        {
                            mask &= (1L << (wordLast + 1)) - 1;
                        }
                        count += Long.bitCount(chunk[w] & mask);
                        o = wordLast + 1;
                    }
                }
            }
            cursor = chunkLast + 1;
            if (cursor == 0)
            {
                break;
            }
        }
        return count;
    }

    @Override
    void forEach(final LongConsumer consumer)
    {
        for (int p = 0; p < pages.length; p++)
        {
            final Page page = pages[p];
            if (page == null || page.count == 0)
            {
                continue;
            }
            for (int c = 0; c < page.chunks.length; c++)
            {
                final long[] chunk = page.chunks[c];
                if (chunk == null || page.counts[c] == 0)
                {
                    continue;
                }
                final long chunkFirst = ((long)p << PAGE_BITS) + ((long)c << CHUNK_BITS);
                for (int w = 0; w < chunkWords; w++)
                {
                    long word = chunk[w];
                    while (word != 0)
                    {
                        consumer.accept(chunkFirst + ((long)w << 6) + Long.numberOfTrailingZeros(word));
                        word &= word - 1;
                    }
                }
            }
        }
    }

    /**
     * Bulk load: set the bits of one word at once (whole words, no per-offset bookkeeping).
     *
     * @param wordIndex offset / 64.
     * @param bits      bits to set.
     * @return false (and nothing changed) if any of the bits was set already.
     */
    @Override
    boolean addWord(final long wordIndex, final long bits)
    {
        final long offset = wordIndex << 6;
        final long[] chunk = chunkFor(offset);
        final int w = (int)wordIndex & (CHUNK_SIZE / 64 - 1);
        final long word = chunk[w];
        if ((word & bits) != 0)
        {
            return false;
        }
        final long updated = word | bits;
        chunk[w] = updated;
        if (updated == -1L)
        {
            chunk[chunkWords + (w >>> 6)] |= 1L << w;
        }
        final int n = Long.bitCount(bits);
        final Page page = pages[(int)(offset >>> PAGE_BITS)];
        page.counts[(int)(offset >>> CHUNK_BITS) & (CHUNKS_PER_PAGE - 1)] += n;
        page.count += n;
        cardinality += n;
        return true;
    }

    @Override
    void clear()
    {
        Arrays.fill(pages, null);
        cardinality = 0;
    }
}
