package io.ipam.core.engine;

/**
 * Where the change feed hands each change of a command that completed, in order, on the writer's thread: a
 * durable store keeps them in its change journal. A change is handed over only once its command stands (never one
 * that was undone), before the command is answered and before the batch's sync.
 */
public interface ChangeSink
{
    /**
     * @param sequence  the change's sequence.
     * @param timeMs    its command's time.
     * @param kind      {@link io.ipam.core.ChangeKind} ordinal.
     * @param tenant    tenant, or null.
     * @param subnetId  subnet or pool id, or null.
     * @param family    0 no address, 4 or 6.
     * @param hi        address high bits.
     * @param lo        address low bits.
     * @param prefixLen a child prefix's length, or -1 for an address.
     * @param ownerMsb  owner high bits (0 with 0 for none).
     * @param ownerLsb  owner low bits.
     */
    void onChange(long sequence, long timeMs, int kind, String tenant, String subnetId, int family, long hi, long lo,
        int prefixLen, long ownerMsb, long ownerLsb);
}
