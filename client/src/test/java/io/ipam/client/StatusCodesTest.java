package io.ipam.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The status table both ways: the table in docs/grpc.md is the specification, every {@link ErrorCode} has its row
 * there and in {@link StatusCodes}, and every code survives the trip server to client with its message.
 */
class StatusCodesTest
{
    private static final Pattern ROW =
        Pattern.compile("^\\| ([A-Z_]+ \\(\\d+\\)(?:, [A-Z_]+ \\(\\d+\\))*) \\| ([A-Z_]+) \\|$");
    private static final Pattern CELL = Pattern.compile("([A-Z_]+) \\((\\d+)\\)");

    /** The table of docs/grpc.md, "Errors: the status table": ipam code to gRPC status. */
    private static Map<ErrorCode, Status.Code> documentedTable() throws IOException
    {
        final Map<ErrorCode, Status.Code> table = new EnumMap<>(ErrorCode.class);
        for (final String line : Files.readAllLines(Path.of("..", "docs", "grpc.md"), StandardCharsets.UTF_8))
        {
            final Matcher row = ROW.matcher(line);
            if (!row.matches())
            {
                continue;
            }
            final Matcher cell = CELL.matcher(row.group(1));
            while (cell.find())
            {
                final ErrorCode code = ErrorCode.valueOf(cell.group(1));
                assertEquals(code.value(), Integer.parseInt(cell.group(2)), "the number docs/grpc.md gives " + code);
                assertNull(table.put(code, Status.Code.valueOf(row.group(2))), code + " has two rows in docs/grpc.md");
            }
        }
        return table;
    }

    @Test
    void shouldMapEveryCodeAsDocsGrpcMdSays() throws IOException
    {
        final Map<ErrorCode, Status.Code> documented = documentedTable();
        for (final ErrorCode code : ErrorCode.values())
        {
            assertEquals(documented.get(code), StatusCodes.statusCode(code), code + " (docs/grpc.md against the code)");
        }
        for (final Status.Code status : Status.Code.values())
        {
            final List<ErrorCode> codes = StatusCodes.codesOf(status);
            for (final ErrorCode code : codes)
            {
                assertSame(status, StatusCodes.statusCode(code));
            }
            assertEquals(documented.values().stream().filter(s -> s == status).count(), codes.size(), status.name());
        }
    }

    @ParameterizedTest
    @EnumSource(ErrorCode.class)
    void shouldCarryEachCodeAndItsMessageToTheClient(final ErrorCode code)
    {
        final StatusRuntimeException status = StatusCodes.toStatus(new IpamException(code, "subnet s1: why"));
        assertEquals(StatusCodes.statusCode(code), status.getStatus().getCode());
        assertEquals(code + ": subnet s1: why", status.getStatus().getDescription());
        assertEquals(code, StatusCodes.ipamCode(status));
        final IpamException back = StatusCodes.toIpamException(status);
        assertEquals(code, back.code());
        assertEquals(code + ": subnet s1: why", back.getMessage());
    }

    @Test
    void shouldCutLongMessages()
    {
        final StatusRuntimeException status = StatusCodes.toStatus(new IpamException(ErrorCode.MALFORMED,
            "x".repeat(5000)));
        assertEquals(1024 + 3, status.getStatus().getDescription().length());
        assertTrue(status.getStatus().getDescription().endsWith("..."));
    }

    @Test
    void shouldGiveTheNearestCodeToAStatusWithoutOne()
    {
        final Map<Status.Code, ErrorCode> expected = new EnumMap<>(Status.Code.class);
        expected.put(Status.Code.UNAVAILABLE, ErrorCode.STORE_IO);
        expected.put(Status.Code.DEADLINE_EXCEEDED, ErrorCode.OVERLOADED);
        expected.put(Status.Code.RESOURCE_EXHAUSTED, ErrorCode.LIMIT_EXCEEDED);
        expected.put(Status.Code.UNAUTHENTICATED, ErrorCode.FORBIDDEN);
        expected.put(Status.Code.PERMISSION_DENIED, ErrorCode.FORBIDDEN);
        for (final Status.Code s : Status.Code.values())
        {
            final ErrorCode want = expected.getOrDefault(s, ErrorCode.INTERNAL);
            assertEquals(want, StatusCodes.nearest(s), s.name());
            final IpamException ex =
                StatusCodes.toIpamException(s.toStatus().withDescription("what").asRuntimeException());
            assertEquals(want, ex.code(), s.name());
            assertEquals(want + ": server answered " + s + ": what", ex.getMessage());
            assertNull(StatusCodes.ipamCode(s.toStatus().asRuntimeException()));
        }
    }

    @Test
    void shouldNameACodeNumberThisBuildDoesNotKnow()
    {
        final StatusRuntimeException newer = StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
            .setCode(Status.Code.FAILED_PRECONDITION.value())
            .setMessage("SOMETHING_NEW: later")
            .addDetails(Any.pack(ErrorInfo.newBuilder().setDomain(StatusCodes.DOMAIN).setReason("SOMETHING_NEW")
                .putMetadata(StatusCodes.CODE_KEY, "999").build()))
            .build());
        assertNull(StatusCodes.ipamCode(newer));
        final IpamException ex = StatusCodes.toIpamException(newer);
        assertEquals(ErrorCode.INTERNAL, ex.code());
        assertEquals("INTERNAL: server answered FAILED_PRECONDITION (ipam code 999): SOMETHING_NEW: later",
            ex.getMessage());
    }

    @Test
    void shouldIgnoreAnotherDomainsErrorInfo()
    {
        final StatusRuntimeException foreign = StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
            .setCode(Status.Code.NOT_FOUND.value())
            .addDetails(Any.pack(ErrorInfo.newBuilder().setDomain("example.com").setReason("SUBNET_NOT_FOUND")
                .putMetadata(StatusCodes.CODE_KEY, "1").build()))
            .build());
        assertNull(StatusCodes.ipamCode(foreign));
        assertEquals(ErrorCode.INTERNAL, StatusCodes.toIpamException(foreign).code());
    }
}
