using System.Diagnostics;

namespace ARuntime.Sdk.Lifecycle;

/// <summary>Identifier generation: time-ordered GUIDs (version 7) so ids sort by creation, W3C ids for traces.</summary>
internal static class Ids
{
    public static string NewRequestId(DateTimeOffset now) => "req_" + Guid.CreateVersion7(now).ToString("N");

    public static string NewRecordId(DateTimeOffset now) => "ev_" + Guid.CreateVersion7(now).ToString("N");

    public static string NewApprovalId(DateTimeOffset now) => "apr_" + Guid.CreateVersion7(now).ToString("N");

    public static string NewTraceId() => ActivityTraceId.CreateRandom().ToHexString();

    public static string NewSpanId() => ActivitySpanId.CreateRandom().ToHexString();
}
