using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace ARuntime.Sdk.Contracts;

/// <summary>
/// A W3C Trace Context (<c>traceparent</c>/<c>tracestate</c>) that correlates a request with the caller's trace and joins
/// evidence records with telemetry spans.
/// </summary>
public sealed record TraceContext : IVersionedContract
{
    /// <inheritdoc />
    public string ContractVersion { get; init; } = ContractVersions.Current;

    /// <summary>Gets the 32-character lowercase hexadecimal trace id.</summary>
    public required string TraceId { get; init; }

    /// <summary>Gets the 16-character lowercase hexadecimal id of the parent span.</summary>
    public required string SpanId { get; init; }

    /// <summary>Gets whether the caller sampled the trace (the <c>sampled</c> trace flag).</summary>
    public bool Sampled { get; init; }

    /// <summary>Gets the vendor-specific <c>tracestate</c>, if any.</summary>
    public string? TraceState { get; init; }

    /// <summary>Returns the <c>traceparent</c> header value (version 00).</summary>
    /// <returns>The header value.</returns>
    public string ToTraceParent() => $"00-{TraceId}-{SpanId}-{(Sampled ? "01" : "00")}";

    /// <summary>Parses a <c>traceparent</c> header value.</summary>
    /// <param name="traceParent">The header value.</param>
    /// <param name="traceState">The optional <c>tracestate</c> header value.</param>
    /// <param name="context">The parsed context.</param>
    /// <returns><see langword="true"/> when the value is a valid version-00 traceparent with non-zero ids.</returns>
    public static bool TryParse(string? traceParent, string? traceState, [NotNullWhen(true)] out TraceContext? context)
    {
        context = null;
        if (traceParent is null || traceParent.Length != 55 || traceParent[2] != '-' || traceParent[35] != '-' || traceParent[52] != '-')
        {
            return false;
        }

        if (!traceParent.StartsWith("00", StringComparison.Ordinal))
        {
            return false;
        }

        var traceId = traceParent.Substring(3, 32);
        var spanId = traceParent.Substring(36, 16);
        if (!IsValidTraceId(traceId) || !IsValidSpanId(spanId))
        {
            return false;
        }

        if (!byte.TryParse(traceParent.AsSpan(53, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var flags))
        {
            return false;
        }

        context = new TraceContext { TraceId = traceId, SpanId = spanId, Sampled = (flags & 1) == 1, TraceState = traceState };
        return true;
    }

    /// <summary>Returns whether <paramref name="traceId"/> is 32 lowercase hex characters and not all zeros.</summary>
    /// <param name="traceId">The candidate trace id.</param>
    /// <returns><see langword="true"/> when valid.</returns>
    public static bool IsValidTraceId(string? traceId) => IsLowerHex(traceId, 32);

    /// <summary>Returns whether <paramref name="spanId"/> is 16 lowercase hex characters and not all zeros.</summary>
    /// <param name="spanId">The candidate span id.</param>
    /// <returns><see langword="true"/> when valid.</returns>
    public static bool IsValidSpanId(string? spanId) => IsLowerHex(spanId, 16);

    private static bool IsLowerHex(string? value, int length)
    {
        if (value is null || value.Length != length)
        {
            return false;
        }

        var allZero = true;
        foreach (var c in value)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }

            allZero &= c == '0';
        }

        return !allZero;
    }
}
