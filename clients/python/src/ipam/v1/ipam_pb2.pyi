from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ErrorCode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ERROR_CODE_UNSPECIFIED: _ClassVar[ErrorCode]
    SUBNET_NOT_FOUND: _ClassVar[ErrorCode]
    SUBNET_EXISTS: _ClassVar[ErrorCode]
    SUBNET_OVERLAP: _ClassVar[ErrorCode]
    SUBNET_IN_USE: _ClassVar[ErrorCode]
    MALFORMED: _ClassVar[ErrorCode]
    CIDR_INVALID: _ClassVar[ErrorCode]
    ADDRESS_INVALID: _ClassVar[ErrorCode]
    ADDRESS_TAKEN: _ClassVar[ErrorCode]
    EXHAUSTED: _ClassVar[ErrorCode]
    POOL_INVALID: _ClassVar[ErrorCode]
    POOL_OUT_OF_BOUNDS: _ClassVar[ErrorCode]
    POOL_OVERLAP: _ClassVar[ErrorCode]
    GATEWAY_INVALID: _ClassVar[ErrorCode]
    GATEWAY_IN_POOL: _ClassVar[ErrorCode]
    GATEWAY_IN_USE: _ClassVar[ErrorCode]
    OWNER_MISMATCH: _ClassVar[ErrorCode]
    BULK_TOO_LARGE: _ClassVar[ErrorCode]
    PREFIX_UNAVAILABLE: _ClassVar[ErrorCode]
    PREFIX_LENGTH: _ClassVar[ErrorCode]
    QUOTA_EXCEEDED: _ClassVar[ErrorCode]
    POOL_NOT_FOUND: _ClassVar[ErrorCode]
    POOL_EXISTS: _ClassVar[ErrorCode]
    OVERLOADED: _ClassVar[ErrorCode]
    CLOSED: _ClassVar[ErrorCode]
    STORE_IO: _ClassVar[ErrorCode]
    STORE_CORRUPT: _ClassVar[ErrorCode]
    STORE_FULL: _ClassVar[ErrorCode]
    INTERNAL: _ClassVar[ErrorCode]
    LIMIT_EXCEEDED: _ClassVar[ErrorCode]
    FORBIDDEN: _ClassVar[ErrorCode]

class AllocationStrategy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ALLOCATION_STRATEGY_UNSPECIFIED: _ClassVar[AllocationStrategy]
    RANDOM: _ClassVar[AllocationStrategy]
    LOWEST: _ClassVar[AllocationStrategy]
ERROR_CODE_UNSPECIFIED: ErrorCode
SUBNET_NOT_FOUND: ErrorCode
SUBNET_EXISTS: ErrorCode
SUBNET_OVERLAP: ErrorCode
SUBNET_IN_USE: ErrorCode
MALFORMED: ErrorCode
CIDR_INVALID: ErrorCode
ADDRESS_INVALID: ErrorCode
ADDRESS_TAKEN: ErrorCode
EXHAUSTED: ErrorCode
POOL_INVALID: ErrorCode
POOL_OUT_OF_BOUNDS: ErrorCode
POOL_OVERLAP: ErrorCode
GATEWAY_INVALID: ErrorCode
GATEWAY_IN_POOL: ErrorCode
GATEWAY_IN_USE: ErrorCode
OWNER_MISMATCH: ErrorCode
BULK_TOO_LARGE: ErrorCode
PREFIX_UNAVAILABLE: ErrorCode
PREFIX_LENGTH: ErrorCode
QUOTA_EXCEEDED: ErrorCode
POOL_NOT_FOUND: ErrorCode
POOL_EXISTS: ErrorCode
OVERLOADED: ErrorCode
CLOSED: ErrorCode
STORE_IO: ErrorCode
STORE_CORRUPT: ErrorCode
STORE_FULL: ErrorCode
INTERNAL: ErrorCode
LIMIT_EXCEEDED: ErrorCode
FORBIDDEN: ErrorCode
ALLOCATION_STRATEGY_UNSPECIFIED: AllocationStrategy
RANDOM: AllocationStrategy
LOWEST: AllocationStrategy

class Error(_message.Message):
    __slots__ = ("code", "message")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    code: ErrorCode
    message: str
    def __init__(self, code: _Optional[_Union[ErrorCode, str]] = ..., message: _Optional[str] = ...) -> None: ...

class IpRange(_message.Message):
    __slots__ = ("first", "last")
    FIRST_FIELD_NUMBER: _ClassVar[int]
    LAST_FIELD_NUMBER: _ClassVar[int]
    first: str
    last: str
    def __init__(self, first: _Optional[str] = ..., last: _Optional[str] = ...) -> None: ...

class Subnet(_message.Message):
    __slots__ = ("id", "cidr", "tenant", "gateway", "pools", "strategy", "allocated", "free", "cooldown_ms", "cooling")
    ID_FIELD_NUMBER: _ClassVar[int]
    CIDR_FIELD_NUMBER: _ClassVar[int]
    TENANT_FIELD_NUMBER: _ClassVar[int]
    GATEWAY_FIELD_NUMBER: _ClassVar[int]
    POOLS_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    ALLOCATED_FIELD_NUMBER: _ClassVar[int]
    FREE_FIELD_NUMBER: _ClassVar[int]
    COOLDOWN_MS_FIELD_NUMBER: _ClassVar[int]
    COOLING_FIELD_NUMBER: _ClassVar[int]
    id: str
    cidr: str
    tenant: str
    gateway: str
    pools: _containers.RepeatedCompositeFieldContainer[IpRange]
    strategy: AllocationStrategy
    allocated: int
    free: str
    cooldown_ms: int
    cooling: int
    def __init__(self, id: _Optional[str] = ..., cidr: _Optional[str] = ..., tenant: _Optional[str] = ..., gateway: _Optional[str] = ..., pools: _Optional[_Iterable[_Union[IpRange, _Mapping]]] = ..., strategy: _Optional[_Union[AllocationStrategy, str]] = ..., allocated: _Optional[int] = ..., free: _Optional[str] = ..., cooldown_ms: _Optional[int] = ..., cooling: _Optional[int] = ...) -> None: ...

class CreateSubnetRequest(_message.Message):
    __slots__ = ("id", "cidr", "gateway", "no_gateway", "pools", "strategy", "tenant", "cooldown_ms")
    ID_FIELD_NUMBER: _ClassVar[int]
    CIDR_FIELD_NUMBER: _ClassVar[int]
    GATEWAY_FIELD_NUMBER: _ClassVar[int]
    NO_GATEWAY_FIELD_NUMBER: _ClassVar[int]
    POOLS_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    TENANT_FIELD_NUMBER: _ClassVar[int]
    COOLDOWN_MS_FIELD_NUMBER: _ClassVar[int]
    id: str
    cidr: str
    gateway: str
    no_gateway: bool
    pools: _containers.RepeatedCompositeFieldContainer[IpRange]
    strategy: AllocationStrategy
    tenant: str
    cooldown_ms: int
    def __init__(self, id: _Optional[str] = ..., cidr: _Optional[str] = ..., gateway: _Optional[str] = ..., no_gateway: _Optional[bool] = ..., pools: _Optional[_Iterable[_Union[IpRange, _Mapping]]] = ..., strategy: _Optional[_Union[AllocationStrategy, str]] = ..., tenant: _Optional[str] = ..., cooldown_ms: _Optional[int] = ...) -> None: ...

class GetSubnetRequest(_message.Message):
    __slots__ = ("subnet_id",)
    SUBNET_ID_FIELD_NUMBER: _ClassVar[int]
    subnet_id: str
    def __init__(self, subnet_id: _Optional[str] = ...) -> None: ...

class ListSubnetsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListSubnetsResponse(_message.Message):
    __slots__ = ("subnets",)
    SUBNETS_FIELD_NUMBER: _ClassVar[int]
    subnets: _containers.RepeatedCompositeFieldContainer[Subnet]
    def __init__(self, subnets: _Optional[_Iterable[_Union[Subnet, _Mapping]]] = ...) -> None: ...

class UpdatePoolsRequest(_message.Message):
    __slots__ = ("subnet_id", "pools")
    SUBNET_ID_FIELD_NUMBER: _ClassVar[int]
    POOLS_FIELD_NUMBER: _ClassVar[int]
    subnet_id: str
    pools: _containers.RepeatedCompositeFieldContainer[IpRange]
    def __init__(self, subnet_id: _Optional[str] = ..., pools: _Optional[_Iterable[_Union[IpRange, _Mapping]]] = ...) -> None: ...

class UpdateGatewayRequest(_message.Message):
    __slots__ = ("subnet_id", "gateway")
    SUBNET_ID_FIELD_NUMBER: _ClassVar[int]
    GATEWAY_FIELD_NUMBER: _ClassVar[int]
    subnet_id: str
    gateway: str
    def __init__(self, subnet_id: _Optional[str] = ..., gateway: _Optional[str] = ...) -> None: ...

class UpdateSubnetRequest(_message.Message):
    __slots__ = ("subnet_id", "set_pools", "pools", "set_gateway", "gateway", "cooldown_ms")
    SUBNET_ID_FIELD_NUMBER: _ClassVar[int]
    SET_POOLS_FIELD_NUMBER: _ClassVar[int]
    POOLS_FIELD_NUMBER: _ClassVar[int]
    SET_GATEWAY_FIELD_NUMBER: _ClassVar[int]
    GATEWAY_FIELD_NUMBER: _ClassVar[int]
    COOLDOWN_MS_FIELD_NUMBER: _ClassVar[int]
    subnet_id: str
    set_pools: bool
    pools: _containers.RepeatedCompositeFieldContainer[IpRange]
    set_gateway: bool
    gateway: str
    cooldown_ms: int
    def __init__(self, subnet_id: _Optional[str] = ..., set_pools: _Optional[bool] = ..., pools: _Optional[_Iterable[_Union[IpRange, _Mapping]]] = ..., set_gateway: _Optional[bool] = ..., gateway: _Optional[str] = ..., cooldown_ms: _Optional[int] = ...) -> None: ...

class DeleteSubnetRequest(_message.Message):
    __slots__ = ("subnet_id", "force")
    SUBNET_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_FIELD_NUMBER: _ClassVar[int]
    subnet_id: str
    force: bool
    def __init__(self, subnet_id: _Optional[str] = ..., force: _Optional[bool] = ...) -> None: ...

class DeleteSubnetResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class AllocateRequest(_message.Message):
    __slots__ = ("subnet_id", "owner", "next", "address", "mac", "count", "request_key", "lease_ms", "router")
    SUBNET_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    NEXT_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    MAC_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_KEY_FIELD_NUMBER: _ClassVar[int]
    LEASE_MS_FIELD_NUMBER: _ClassVar[int]
    ROUTER_FIELD_NUMBER: _ClassVar[int]
    subnet_id: str
    owner: str
    next: bool
    address: str
    mac: str
    count: int
    request_key: str
    lease_ms: int
    router: bool
    def __init__(self, subnet_id: _Optional[str] = ..., owner: _Optional[str] = ..., next: _Optional[bool] = ..., address: _Optional[str] = ..., mac: _Optional[str] = ..., count: _Optional[int] = ..., request_key: _Optional[str] = ..., lease_ms: _Optional[int] = ..., router: _Optional[bool] = ...) -> None: ...

class AllocateResponse(_message.Message):
    __slots__ = ("addresses",)
    ADDRESSES_FIELD_NUMBER: _ClassVar[int]
    addresses: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, addresses: _Optional[_Iterable[str]] = ...) -> None: ...

class ReleaseRequest(_message.Message):
    __slots__ = ("subnet_id", "address", "owner")
    SUBNET_ID_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    subnet_id: str
    address: str
    owner: str
    def __init__(self, subnet_id: _Optional[str] = ..., address: _Optional[str] = ..., owner: _Optional[str] = ...) -> None: ...

class ReleaseResponse(_message.Message):
    __slots__ = ("released",)
    RELEASED_FIELD_NUMBER: _ClassVar[int]
    released: bool
    def __init__(self, released: _Optional[bool] = ...) -> None: ...

class ReleaseOwnerRequest(_message.Message):
    __slots__ = ("owner",)
    OWNER_FIELD_NUMBER: _ClassVar[int]
    owner: str
    def __init__(self, owner: _Optional[str] = ...) -> None: ...

class ReleaseOwnerResponse(_message.Message):
    __slots__ = ("released",)
    RELEASED_FIELD_NUMBER: _ClassVar[int]
    released: int
    def __init__(self, released: _Optional[int] = ...) -> None: ...

class GetOwnerRequest(_message.Message):
    __slots__ = ("subnet_id", "address")
    SUBNET_ID_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    subnet_id: str
    address: str
    def __init__(self, subnet_id: _Optional[str] = ..., address: _Optional[str] = ...) -> None: ...

class GetOwnerResponse(_message.Message):
    __slots__ = ("owner",)
    OWNER_FIELD_NUMBER: _ClassVar[int]
    owner: str
    def __init__(self, owner: _Optional[str] = ...) -> None: ...

class Allocation(_message.Message):
    __slots__ = ("subnet_id", "address", "owner", "time_ms", "expires_at_ms", "router")
    SUBNET_ID_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    TIME_MS_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_MS_FIELD_NUMBER: _ClassVar[int]
    ROUTER_FIELD_NUMBER: _ClassVar[int]
    subnet_id: str
    address: str
    owner: str
    time_ms: int
    expires_at_ms: int
    router: bool
    def __init__(self, subnet_id: _Optional[str] = ..., address: _Optional[str] = ..., owner: _Optional[str] = ..., time_ms: _Optional[int] = ..., expires_at_ms: _Optional[int] = ..., router: _Optional[bool] = ...) -> None: ...

class RenewRequest(_message.Message):
    __slots__ = ("subnet_id", "address", "owner", "lease_ms")
    SUBNET_ID_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    LEASE_MS_FIELD_NUMBER: _ClassVar[int]
    subnet_id: str
    address: str
    owner: str
    lease_ms: int
    def __init__(self, subnet_id: _Optional[str] = ..., address: _Optional[str] = ..., owner: _Optional[str] = ..., lease_ms: _Optional[int] = ...) -> None: ...

class RenewResponse(_message.Message):
    __slots__ = ("renewed",)
    RENEWED_FIELD_NUMBER: _ClassVar[int]
    renewed: bool
    def __init__(self, renewed: _Optional[bool] = ...) -> None: ...

class ListAllocationsRequest(_message.Message):
    __slots__ = ("owner",)
    OWNER_FIELD_NUMBER: _ClassVar[int]
    owner: str
    def __init__(self, owner: _Optional[str] = ...) -> None: ...

class ListAllocationsResponse(_message.Message):
    __slots__ = ("allocations",)
    ALLOCATIONS_FIELD_NUMBER: _ClassVar[int]
    allocations: _containers.RepeatedCompositeFieldContainer[Allocation]
    def __init__(self, allocations: _Optional[_Iterable[_Union[Allocation, _Mapping]]] = ...) -> None: ...

class AddressRequest(_message.Message):
    __slots__ = ("any", "next", "specific", "eui64", "any_of")
    ANY_FIELD_NUMBER: _ClassVar[int]
    NEXT_FIELD_NUMBER: _ClassVar[int]
    SPECIFIC_FIELD_NUMBER: _ClassVar[int]
    EUI64_FIELD_NUMBER: _ClassVar[int]
    ANY_OF_FIELD_NUMBER: _ClassVar[int]
    any: str
    next: str
    specific: SpecificItem
    eui64: Eui64Item
    any_of: SubnetGroup
    def __init__(self, any: _Optional[str] = ..., next: _Optional[str] = ..., specific: _Optional[_Union[SpecificItem, _Mapping]] = ..., eui64: _Optional[_Union[Eui64Item, _Mapping]] = ..., any_of: _Optional[_Union[SubnetGroup, _Mapping]] = ...) -> None: ...

class SpecificItem(_message.Message):
    __slots__ = ("subnet_id", "address")
    SUBNET_ID_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    subnet_id: str
    address: str
    def __init__(self, subnet_id: _Optional[str] = ..., address: _Optional[str] = ...) -> None: ...

class Eui64Item(_message.Message):
    __slots__ = ("subnet_id", "mac")
    SUBNET_ID_FIELD_NUMBER: _ClassVar[int]
    MAC_FIELD_NUMBER: _ClassVar[int]
    subnet_id: str
    mac: str
    def __init__(self, subnet_id: _Optional[str] = ..., mac: _Optional[str] = ...) -> None: ...

class SubnetGroup(_message.Message):
    __slots__ = ("subnet_ids",)
    SUBNET_IDS_FIELD_NUMBER: _ClassVar[int]
    subnet_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, subnet_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class AllocatePortRequest(_message.Message):
    __slots__ = ("owner", "items", "request_key", "lease_ms", "router")
    OWNER_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_KEY_FIELD_NUMBER: _ClassVar[int]
    LEASE_MS_FIELD_NUMBER: _ClassVar[int]
    ROUTER_FIELD_NUMBER: _ClassVar[int]
    owner: str
    items: _containers.RepeatedCompositeFieldContainer[AddressRequest]
    request_key: str
    lease_ms: int
    router: bool
    def __init__(self, owner: _Optional[str] = ..., items: _Optional[_Iterable[_Union[AddressRequest, _Mapping]]] = ..., request_key: _Optional[str] = ..., lease_ms: _Optional[int] = ..., router: _Optional[bool] = ...) -> None: ...

class AllocatePortResponse(_message.Message):
    __slots__ = ("allocations",)
    ALLOCATIONS_FIELD_NUMBER: _ClassVar[int]
    allocations: _containers.RepeatedCompositeFieldContainer[Allocation]
    def __init__(self, allocations: _Optional[_Iterable[_Union[Allocation, _Mapping]]] = ...) -> None: ...

class PrefixPool(_message.Message):
    __slots__ = ("id", "prefixes", "min_prefix_length", "default_prefix_length", "max_prefix_length", "quota", "child_count")
    ID_FIELD_NUMBER: _ClassVar[int]
    PREFIXES_FIELD_NUMBER: _ClassVar[int]
    MIN_PREFIX_LENGTH_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_PREFIX_LENGTH_FIELD_NUMBER: _ClassVar[int]
    MAX_PREFIX_LENGTH_FIELD_NUMBER: _ClassVar[int]
    QUOTA_FIELD_NUMBER: _ClassVar[int]
    CHILD_COUNT_FIELD_NUMBER: _ClassVar[int]
    id: str
    prefixes: _containers.RepeatedScalarFieldContainer[str]
    min_prefix_length: int
    default_prefix_length: int
    max_prefix_length: int
    quota: int
    child_count: int
    def __init__(self, id: _Optional[str] = ..., prefixes: _Optional[_Iterable[str]] = ..., min_prefix_length: _Optional[int] = ..., default_prefix_length: _Optional[int] = ..., max_prefix_length: _Optional[int] = ..., quota: _Optional[int] = ..., child_count: _Optional[int] = ...) -> None: ...

class CreatePrefixPoolRequest(_message.Message):
    __slots__ = ("id", "prefixes", "min_prefix_length", "max_prefix_length", "default_prefix_length", "quota")
    ID_FIELD_NUMBER: _ClassVar[int]
    PREFIXES_FIELD_NUMBER: _ClassVar[int]
    MIN_PREFIX_LENGTH_FIELD_NUMBER: _ClassVar[int]
    MAX_PREFIX_LENGTH_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_PREFIX_LENGTH_FIELD_NUMBER: _ClassVar[int]
    QUOTA_FIELD_NUMBER: _ClassVar[int]
    id: str
    prefixes: _containers.RepeatedScalarFieldContainer[str]
    min_prefix_length: int
    max_prefix_length: int
    default_prefix_length: int
    quota: int
    def __init__(self, id: _Optional[str] = ..., prefixes: _Optional[_Iterable[str]] = ..., min_prefix_length: _Optional[int] = ..., max_prefix_length: _Optional[int] = ..., default_prefix_length: _Optional[int] = ..., quota: _Optional[int] = ...) -> None: ...

class GetPrefixPoolRequest(_message.Message):
    __slots__ = ("pool_id",)
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    pool_id: str
    def __init__(self, pool_id: _Optional[str] = ...) -> None: ...

class AllocatePrefixRequest(_message.Message):
    __slots__ = ("pool_id", "tenant", "prefix_length", "cidr")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_FIELD_NUMBER: _ClassVar[int]
    PREFIX_LENGTH_FIELD_NUMBER: _ClassVar[int]
    CIDR_FIELD_NUMBER: _ClassVar[int]
    pool_id: str
    tenant: str
    prefix_length: int
    cidr: str
    def __init__(self, pool_id: _Optional[str] = ..., tenant: _Optional[str] = ..., prefix_length: _Optional[int] = ..., cidr: _Optional[str] = ...) -> None: ...

class AllocatePrefixResponse(_message.Message):
    __slots__ = ("cidr",)
    CIDR_FIELD_NUMBER: _ClassVar[int]
    cidr: str
    def __init__(self, cidr: _Optional[str] = ...) -> None: ...

class ReleasePrefixRequest(_message.Message):
    __slots__ = ("pool_id", "cidr")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    CIDR_FIELD_NUMBER: _ClassVar[int]
    pool_id: str
    cidr: str
    def __init__(self, pool_id: _Optional[str] = ..., cidr: _Optional[str] = ...) -> None: ...

class ReleasePrefixResponse(_message.Message):
    __slots__ = ("released",)
    RELEASED_FIELD_NUMBER: _ClassVar[int]
    released: bool
    def __init__(self, released: _Optional[bool] = ...) -> None: ...

class ChangePrefixesRequest(_message.Message):
    __slots__ = ("pool_id", "prefixes")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    PREFIXES_FIELD_NUMBER: _ClassVar[int]
    pool_id: str
    prefixes: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, pool_id: _Optional[str] = ..., prefixes: _Optional[_Iterable[str]] = ...) -> None: ...

class ListChildrenRequest(_message.Message):
    __slots__ = ("pool_id",)
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    pool_id: str
    def __init__(self, pool_id: _Optional[str] = ...) -> None: ...

class ListChildrenResponse(_message.Message):
    __slots__ = ("children",)
    CHILDREN_FIELD_NUMBER: _ClassVar[int]
    children: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, children: _Optional[_Iterable[str]] = ...) -> None: ...

class SnapshotRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class SnapshotInfo(_message.Message):
    __slots__ = ("bytes", "format_version", "subnets", "allocations", "taken_at_millis")
    BYTES_FIELD_NUMBER: _ClassVar[int]
    FORMAT_VERSION_FIELD_NUMBER: _ClassVar[int]
    SUBNETS_FIELD_NUMBER: _ClassVar[int]
    ALLOCATIONS_FIELD_NUMBER: _ClassVar[int]
    TAKEN_AT_MILLIS_FIELD_NUMBER: _ClassVar[int]
    bytes: int
    format_version: int
    subnets: int
    allocations: int
    taken_at_millis: int
    def __init__(self, bytes: _Optional[int] = ..., format_version: _Optional[int] = ..., subnets: _Optional[int] = ..., allocations: _Optional[int] = ..., taken_at_millis: _Optional[int] = ...) -> None: ...

class SnapshotChunk(_message.Message):
    __slots__ = ("data", "info")
    DATA_FIELD_NUMBER: _ClassVar[int]
    INFO_FIELD_NUMBER: _ClassVar[int]
    data: bytes
    info: SnapshotInfo
    def __init__(self, data: _Optional[bytes] = ..., info: _Optional[_Union[SnapshotInfo, _Mapping]] = ...) -> None: ...

class BatchOp(_message.Message):
    __slots__ = ("allocate", "release")
    ALLOCATE_FIELD_NUMBER: _ClassVar[int]
    RELEASE_FIELD_NUMBER: _ClassVar[int]
    allocate: AllocateRequest
    release: ReleaseRequest
    def __init__(self, allocate: _Optional[_Union[AllocateRequest, _Mapping]] = ..., release: _Optional[_Union[ReleaseRequest, _Mapping]] = ...) -> None: ...

class BatchResult(_message.Message):
    __slots__ = ("allocated", "released", "error")
    ALLOCATED_FIELD_NUMBER: _ClassVar[int]
    RELEASED_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    allocated: AllocateResponse
    released: ReleaseResponse
    error: Error
    def __init__(self, allocated: _Optional[_Union[AllocateResponse, _Mapping]] = ..., released: _Optional[_Union[ReleaseResponse, _Mapping]] = ..., error: _Optional[_Union[Error, _Mapping]] = ...) -> None: ...

class BatchRequest(_message.Message):
    __slots__ = ("ops",)
    OPS_FIELD_NUMBER: _ClassVar[int]
    ops: _containers.RepeatedCompositeFieldContainer[BatchOp]
    def __init__(self, ops: _Optional[_Iterable[_Union[BatchOp, _Mapping]]] = ...) -> None: ...

class BatchResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[BatchResult]
    def __init__(self, results: _Optional[_Iterable[_Union[BatchResult, _Mapping]]] = ...) -> None: ...

class ReconcileRequest(_message.Message):
    __slots__ = ("live_owners", "grace_ms", "dry_run")
    LIVE_OWNERS_FIELD_NUMBER: _ClassVar[int]
    GRACE_MS_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    live_owners: _containers.RepeatedScalarFieldContainer[str]
    grace_ms: int
    dry_run: bool
    def __init__(self, live_owners: _Optional[_Iterable[str]] = ..., grace_ms: _Optional[int] = ..., dry_run: _Optional[bool] = ...) -> None: ...

class ReconcileResponse(_message.Message):
    __slots__ = ("released", "dry_run", "released_time_ms")
    RELEASED_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    RELEASED_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    released: _containers.RepeatedCompositeFieldContainer[Allocation]
    dry_run: bool
    released_time_ms: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, released: _Optional[_Iterable[_Union[Allocation, _Mapping]]] = ..., dry_run: _Optional[bool] = ..., released_time_ms: _Optional[_Iterable[int]] = ...) -> None: ...

class ExpectedAddress(_message.Message):
    __slots__ = ("address", "owner")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    address: str
    owner: str
    def __init__(self, address: _Optional[str] = ..., owner: _Optional[str] = ...) -> None: ...

class ReconcileSubnetRequest(_message.Message):
    __slots__ = ("subnet_id", "expected", "grace_ms", "dry_run")
    SUBNET_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_FIELD_NUMBER: _ClassVar[int]
    GRACE_MS_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    subnet_id: str
    expected: _containers.RepeatedCompositeFieldContainer[ExpectedAddress]
    grace_ms: int
    dry_run: bool
    def __init__(self, subnet_id: _Optional[str] = ..., expected: _Optional[_Iterable[_Union[ExpectedAddress, _Mapping]]] = ..., grace_ms: _Optional[int] = ..., dry_run: _Optional[bool] = ...) -> None: ...

class ReconcileSubnetResponse(_message.Message):
    __slots__ = ("released", "allocated", "reowned", "dry_run")
    RELEASED_FIELD_NUMBER: _ClassVar[int]
    ALLOCATED_FIELD_NUMBER: _ClassVar[int]
    REOWNED_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    released: _containers.RepeatedCompositeFieldContainer[Allocation]
    allocated: _containers.RepeatedCompositeFieldContainer[Allocation]
    reowned: _containers.RepeatedCompositeFieldContainer[Allocation]
    dry_run: bool
    def __init__(self, released: _Optional[_Iterable[_Union[Allocation, _Mapping]]] = ..., allocated: _Optional[_Iterable[_Union[Allocation, _Mapping]]] = ..., reowned: _Optional[_Iterable[_Union[Allocation, _Mapping]]] = ..., dry_run: _Optional[bool] = ...) -> None: ...

class Change(_message.Message):
    __slots__ = ("sequence", "time_ms", "kind", "tenant", "subnet_id", "address", "owner")
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    TIME_MS_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    TENANT_FIELD_NUMBER: _ClassVar[int]
    SUBNET_ID_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    time_ms: int
    kind: str
    tenant: str
    subnet_id: str
    address: str
    owner: str
    def __init__(self, sequence: _Optional[int] = ..., time_ms: _Optional[int] = ..., kind: _Optional[str] = ..., tenant: _Optional[str] = ..., subnet_id: _Optional[str] = ..., address: _Optional[str] = ..., owner: _Optional[str] = ...) -> None: ...

class ListChangesRequest(_message.Message):
    __slots__ = ("after_sequence", "max")
    AFTER_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    MAX_FIELD_NUMBER: _ClassVar[int]
    after_sequence: int
    max: int
    def __init__(self, after_sequence: _Optional[int] = ..., max: _Optional[int] = ...) -> None: ...

class ListChangesResponse(_message.Message):
    __slots__ = ("changes",)
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    changes: _containers.RepeatedCompositeFieldContainer[Change]
    def __init__(self, changes: _Optional[_Iterable[_Union[Change, _Mapping]]] = ...) -> None: ...

class LastSequenceRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class LastSequenceResponse(_message.Message):
    __slots__ = ("sequence",)
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    def __init__(self, sequence: _Optional[int] = ...) -> None: ...
