package io.ipam.core.engine;

/**
 * The order of leases that end at the same millisecond: by what the allocations are, subnet id then address (the
 * high word first in a wide subnet), never by record number. A replica restored from a snapshot numbers its records
 * differently from one that replayed the log, and both must expire tied leases, and number their changes, alike.
 * Writer's thread only.
 */
final class TiedLeaseOrder implements Leases.TieOrder
{
    private final SubnetRegistry subnets;
    private final Records records;

    TiedLeaseOrder(final SubnetRegistry subnets, final Records records)
    {
        this.subnets = subnets;
        this.records = records;
    }

    @Override
    public int compare(final int a, final int b)
    {
        final Subnet sa = subnets.at(records.subnet(a));
        final Subnet sb = subnets.at(records.subnet(b));
        if (sa != sb)
        {
            return sa.id.compareTo(sb.id);
        }
        if (sa.wide)
        {
            final int hi = Long.compareUnsigned(records.addressHi(a), records.addressHi(b));
            if (hi != 0)
            {
                return hi;
            }
        }
        return Long.compareUnsigned(records.address(a), records.address(b));
    }
}
