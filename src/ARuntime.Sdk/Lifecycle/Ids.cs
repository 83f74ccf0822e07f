using System.Diagnostics;
using System.Globalization;

namespace ARuntime.Sdk.Lifecycle;

/// <summary>Identifier generation: time-ordered GUIDs (version 7) so ids sort by creation, W3C ids for traces.</summary>
internal static class Ids
{
    public static string NewRequestId(DateTimeOffset now) => "req_" + Guid.CreateVersion7(now).ToString("N");

    /// <summary>An id for a record outside a request's numbered sequence (recovery, refused approvals).</summary>
    public static string NewRecordId(DateTimeOffset now) => "ev_" + Guid.CreateVersion7(now).ToString("N");

    /// <summary>The id of a request's record: its request id and sequence number, unique and cheap (no random draw).</summary>
    public static string RecordIdFor(string requestId, int sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"ev_{requestId.AsSpan(requestId.StartsWith("req_", StringComparison.Ordinal) ? 4 : 0)}_{sequence}");

    public static string NewApprovalId(DateTimeOffset now) => "apr_" + Guid.CreateVersion7(now).ToString("N");

    public static string NewTraceId() => ActivityTraceId.CreateRandom().ToHexString();

    public static string NewSpanId() => ActivitySpanId.CreateRandom().ToHexString();
}
