"""The benchmark command and the asyncio client against a real `ipam serve`."""

import asyncio
import uuid

import grpc
import pytest

from ipam_client import Client, IpamError, bench
from ipam_client.aio import AsyncClient

from conftest import ADMIN

OWNER = str(uuid.UUID(int=9))


def test_aio_client_round_trip_and_error_codes(server):
    async def go():
        async with AsyncClient(server.target, token=ADMIN) as c:
            sid = "aio-" + uuid.uuid4().hex[:8]
            await c.create_subnet(sid, "10.30.0.0/29", lowest=True)
            assert await c.allocate(sid, OWNER) == "10.30.0.2"
            assert await c.allocate(sid, OWNER, address="10.30.0.6") == "10.30.0.6"
            assert await c.release(sid, "10.30.0.6", owner=OWNER) is True
            assert await c.release(sid, "10.30.0.6") is False
            results = await c.batch([pb_alloc(sid), pb_alloc(sid)])
            assert [r.allocated.addresses[0] for r in results] == ["10.30.0.3", "10.30.0.4"]
            with pytest.raises(IpamError) as e:
                await c.allocate("no-such-subnet", OWNER)
            assert (e.value.status, e.value.code, e.value.number) == (grpc.StatusCode.NOT_FOUND,
                                                                      "SUBNET_NOT_FOUND", 1)
            # same key, same request: the first answer, nothing more allocated (SPEC 9)
            key = "aio-key-" + uuid.uuid4().hex
            first = await c.allocate(sid, OWNER, request_key=key)
            assert await c.allocate(sid, OWNER, request_key=key) == first
            await c.delete_subnet(sid, force=True)
        async with AsyncClient(server.target, token="not-a-known-token-000") as bad:
            with pytest.raises(IpamError) as e:
                await bad.allocate("x", OWNER)
            assert e.value.status == grpc.StatusCode.UNAUTHENTICATED
    asyncio.run(go())


def pb_alloc(sid):
    from ipam_client import pb
    return pb.BatchOp(allocate=pb.AllocateRequest(subnet_id=sid, owner=OWNER))


def test_bench_measures_every_mode_and_leaves_nothing_behind(server, monkeypatch, capsys):
    monkeypatch.setenv("IPAM_TOKEN", ADMIN)
    with Client(server.target, token=ADMIN) as c:
        before = {s.id for s in c.subnets()}
    rc = bench.main([server.target, "--clients", "1,2", "--seconds", "0.3", "--warmup", "0", "--trials", "1",
                     "--batch", "20"])
    out = capsys.readouterr().out
    assert rc == 0, out
    for row in ("| python sync | unary | 1 |", "| python aio | unary | 2 |", "| python sync | unary, a request key each | 2 |",
                "| python aio | batch of 20 | 1 |", "| aio / sync | clients | pairs/s ratio |"):
        assert row in out, out
    assert "| python sync | batch of 20 | 2 |" not in out  # batches run at one client
    with Client(server.target, token=ADMIN) as c:
        assert {s.id for s in c.subnets()} == before  # its subnet was deleted


def test_bench_results_count_real_pairs(server):
    with Client(server.target, token=ADMIN) as c:
        rs = bench.measure(server.target, ADMIN, ["sync", "aio-batch"], [1], 10, 0.3, 0, 1, lambda s: None)
        by = {r.mode: r for r in rs}
        assert by["sync"].errors == 0 and by["sync"].pairs_per_second > 0
        assert by["sync"].p50_us > 0 and by["sync"].p99_us >= by["sync"].p50_us
        # batch pairs come in whole rounds of 10
        assert by["aio-batch"].errors == 0 and by["aio-batch"].pairs > 0 and by["aio-batch"].pairs % 10 == 0


def test_bench_says_why_it_cannot_run(server, monkeypatch, capsys, tmp_path):
    monkeypatch.delenv("IPAM_TOKEN", raising=False)
    bad = tmp_path / "token"
    bad.write_text("not-a-known-token-000\n")
    assert bench.main([server.target, "--token-file", str(bad), "--clients", "1", "--seconds", "0.1",
                       "--trials", "1", "--modes", "sync"]) == 1
    err = capsys.readouterr().err
    assert "UNAUTHENTICATED" in err and "Traceback" not in err and "not-a-known" not in err


def test_bench_refuses_bad_arguments(capsys):
    assert bench.main(["127.0.0.1:1", "--clients", "0"]) == 2
    assert bench.main(["127.0.0.1:1", "--modes", "sync,warp"]) == 2


def test_percentile():
    v = [float(i) for i in range(1, 11)]
    assert (bench.percentile(v, 50), bench.percentile(v, 99), bench.percentile([], 50)) == (5.0, 10.0, 0.0)
