using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;

namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>
/// The storage form of the canonical JSON the store keeps (evidence leaves and sealed payloads): a lossless byte-level
/// substitution that turns the member names and enum values of the store's own formats into one- or two-byte tokens,
/// lowercase hex digests into their bytes and canonical timestamps into their ticks. Decoding gives back exactly the
/// canonical bytes, so hashes, proofs and exports are unchanged; only the rows get smaller (about 60% for a typical leaf),
/// and with them the pages SQLCipher encrypts and writes per record.
/// </summary>
/// <remarks>
/// Canonical JSON never holds a raw byte below 0x20 (RFC 8785 escapes control characters), which leaves those byte values
/// free for tokens. A stored value starting with <c>{</c> is canonical JSON as is (rows written before schema version 6,
/// or an input this codec does not take); one starting with <see cref="Marker"/> is this encoding. The word list is part
/// of the stored format and is never edited: a different list would need a different marker. docs/storage.md describes it.
/// </remarks>
internal static class CompactJson
{
    /// <summary>The first byte of an encoded value.</summary>
    public const byte Marker = 0x00;

    private const byte HexRun = 0x01;
    private const byte Timestamp = 0x02;
    private const byte FirstShortWord = 0x03;
    private const byte ExtendedWord = 0x1F;
    private const int ShortWords = ExtendedWord - FirstShortWord;
    private const int MinHexRun = 32;
    private const int TimestampLength = 30;

    // Tokens 0x03-0x1E in order, then the words reached through 0x1F and one index byte. Append-only within version 1.
    private static readonly string[] WordList =
    [
        // One byte: what nearly every leaf and payload holds.
        "{\"actorId\":",
        "{\"attributes\":{}",
        ",\"attributes\":{}",
        ",\"classification\":{\"labels\":[],\"sensitivity\":\"Internal\"}",
        ",\"contractVersion\":\"1.0\"",
        ",\"correlationId\":",
        ",\"decision\":",
        ",\"durationTicks\":",
        ",\"flags\":[]",
        ",\"format\":\"aruntime-evidence-leaf/1\",\"index\":",
        ",\"kind\":",
        ",\"outcome\":\"Completed\"",
        ",\"outcome\":",
        ",\"payloadCommitments\":[]",
        ",\"payloadCommitments\":[",
        ",\"reasonCodes\":[]",
        ",\"recordId\":",
        ",\"requestId\":",
        ",\"retention\":\"Standard\"",
        ",\"retention\":",
        ",\"sequence\":",
        ",\"spanId\":",
        ",\"stage\":",
        ",\"tenantId\":",
        ",\"timestamp\":",
        ",\"traceId\":",
        ",\"versions\":{}",
        ",\"versions\":{",

        // Two bytes: the rest of the leaf and payload members, the version set's members and the enum values.
        ",\"reasonCodes\":[",
        ",\"flags\":[",
        "{\"attributes\":{",
        ",\"attributes\":{",
        ",\"classification\":{\"labels\":[",
        ",\"sensitivity\":",
        ",\"contractVersion\":",
        "{\"algorithm\":\"sha256\",\"classification\":{\"labels\":[],\"sensitivity\":\"Internal\"}",
        "{\"algorithm\":\"sha256\"",
        "{\"algorithm\":",
        ",\"content\":",
        ",\"digest\":",
        ",\"length\":",
        ",\"name\":",
        "{\"application\":",
        "{\"engine\":",
        ",\"engine\":",
        "{\"model\":",
        ",\"model\":",
        "{\"policy\":",
        ",\"policy\":",
        "{\"promptTemplate\":",
        ",\"promptTemplate\":",
        "{\"retrievalIndex\":",
        ",\"retrievalIndex\":",
        "{\"runtime\":",
        ",\"runtime\":",
        "{\"schema\":",
        ",\"schema\":",
        "{\"tool\":",
        ",\"tool\":",
        "\"Admission\"",
        "\"AuthorityResolution\"",
        "\"RiskClassification\"",
        "\"ContextAssembly\"",
        "\"ModelRouteSelection\"",
        "\"Inference\"",
        "\"ToolPlanning\"",
        "\"Authorization\"",
        "\"ToolExecution\"",
        "\"Validation\"",
        "\"HumanApproval\"",
        "\"ResponseFinalization\"",
        "\"MemoryDecision\"",
        "\"EvidencePersistence\"",
        "\"Evaluation\"",
        "\"IncidentRecovery\"",
        "\"Completed\"",
        "\"NotApplicable\"",
        "\"NotReached\"",
        "\"Rejected\"",
        "\"Denied\"",
        "\"Failed\"",
        "\"Paused\"",
        "\"Cancelled\"",
        "\"TimedOut\"",
        "\"Degraded\"",
        "\"Transient\"",
        "\"Standard\"",
        "\"Extended\"",
        "\"LegalHold\"",
        "\"Public\"",
        "\"Internal\"",
        "\"Confidential\"",
        "\"Restricted\"",
        "\"sha256\"",
    ];

    private static readonly byte[][] Words = [.. WordList.Select(w => System.Text.Encoding.UTF8.GetBytes(w))];
    private static readonly SearchValues<byte> WordStarts = SearchValues.Create("{,\""u8);
    private static readonly SearchValues<byte> LowerHex = SearchValues.Create("0123456789abcdef"u8);

    // Candidate words by where they start ('{' then '"', ',' then '"', or '"' alone) and the first letter after that
    // opening, longest first, so the encoder tries only the few words that can match at a position.
    private static readonly int[][][] Candidates = BuildCandidates();

    /// <summary>Encodes canonical JSON into a new array, or returns <see langword="null"/> when it holds a byte the encoding reserves (store the canonical bytes then).</summary>
    public static byte[]? Encode(ReadOnlySpan<byte> json)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(json.Length + 1);
        try
        {
            var length = Encode(json, buffer);
            return length < 0 ? null : buffer.AsSpan(0, length).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Encodes canonical JSON after the marker into <paramref name="destination"/> (at least one byte longer than the input)
    /// and returns the length written, or -1 when the input holds a reserved byte.
    /// </summary>
    public static int Encode(ReadOnlySpan<byte> json, Span<byte> destination)
    {
        destination[0] = Marker;
        var written = EncodeBody(json, destination[1..]);
        return written < 0 ? -1 : written + 1;
    }

    /// <summary>Encodes canonical JSON without the marker (a fragment that follows an encoded start); -1 when it holds a reserved byte.</summary>
    public static int EncodeBody(ReadOnlySpan<byte> json, Span<byte> destination)
    {
        if (json.IndexOfAnyInRange((byte)0x00, (byte)0x1F) >= 0)
        {
            return -1;
        }

        var o = 0;
        var p = 0;
        while (p < json.Length)
        {
            var next = json[p..].IndexOfAny(WordStarts);
            if (next < 0)
            {
                json[p..].CopyTo(destination[o..]);
                o += json.Length - p;
                break;
            }

            json.Slice(p, next).CopyTo(destination[o..]);
            o += next;
            p += next;

            if (TryMatchWord(json, p, out var word))
            {
                if (word < ShortWords)
                {
                    destination[o++] = (byte)(FirstShortWord + word);
                }
                else
                {
                    destination[o++] = ExtendedWord;
                    destination[o++] = (byte)(word - ShortWords);
                }

                p += Words[word].Length;
                continue;
            }

            if (json[p] == (byte)'"' && TryEncodeTimestamp(json[p..], destination[o..]))
            {
                o += 9;
                p += TimestampLength;
                continue;
            }

            destination[o++] = json[p++];
            if (json[p - 1] == (byte)'"')
            {
                var run = HexRunLength(json[p..]);
                if (run >= MinHexRun)
                {
                    var bytes = Math.Min(run / 2, 255);
                    destination[o++] = HexRun;
                    destination[o++] = (byte)bytes;
                    Convert.FromHexString(json.Slice(p, bytes * 2), destination.Slice(o, bytes), out _, out _);
                    o += bytes;
                    p += bytes * 2;
                }
            }
        }

        return o;
    }

    /// <summary>Returns the canonical JSON of a stored value (encoded, or canonical as is).</summary>
    /// <exception cref="FormatException">The value is neither.</exception>
    public static byte[] Decode(ReadOnlySpan<byte> stored)
    {
        if (stored.IsEmpty)
        {
            throw new FormatException("A stored JSON value is empty.");
        }

        if (stored[0] == (byte)'{')
        {
            return stored.ToArray();
        }

        if (stored[0] != Marker)
        {
            throw new FormatException("A stored JSON value starts with neither '{' nor the compact encoding's marker.");
        }

        var output = new ArrayBufferWriter<byte>(stored.Length * 3);
        var p = 1;
        while (p < stored.Length)
        {
            var token = stored[p..].IndexOfAnyInRange((byte)0x00, (byte)0x1F);
            if (token < 0)
            {
                output.Write(stored[p..]);
                break;
            }

            output.Write(stored.Slice(p, token));
            p += token;
            var t = stored[p++];
            switch (t)
            {
                case HexRun:
                    var bytes = p < stored.Length ? stored[p++] : throw Truncated();
                    if (bytes == 0 || p + bytes > stored.Length)
                    {
                        throw Truncated();
                    }

                    Convert.TryToHexStringLower(stored.Slice(p, bytes), output.GetSpan(bytes * 2), out var hexLength);
                    output.Advance(hexLength);
                    p += bytes;
                    break;
                case Timestamp:
                    if (p + 8 > stored.Length)
                    {
                        throw Truncated();
                    }

                    var ticks = BinaryPrimitives.ReadInt64BigEndian(stored.Slice(p, 8));
                    if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks)
                    {
                        throw new FormatException("A stored timestamp is out of range.");
                    }

                    var text = output.GetSpan(TimestampLength);
                    text[0] = (byte)'"';
                    new DateTime(ticks, DateTimeKind.Utc).TryFormat(text[1..], out var written, "O", CultureInfo.InvariantCulture);
                    text[written + 1] = (byte)'"';
                    output.Advance(written + 2);
                    p += 8;
                    break;
                case ExtendedWord:
                    var index = p < stored.Length ? ShortWords + stored[p++] : throw Truncated();
                    output.Write(index < Words.Length ? Words[index] : throw new FormatException("A stored JSON value holds an unknown word token."));
                    break;
                case >= FirstShortWord:
                    output.Write(Words[t - FirstShortWord]);
                    break;
                default:
                    throw new FormatException("A stored JSON value holds a reserved byte.");
            }
        }

        return output.WrittenSpan.ToArray();
    }

    private static FormatException Truncated() => new("A stored JSON value is truncated.");

    private static bool TryMatchWord(ReadOnlySpan<byte> json, int p, out int word)
    {
        word = -1;
        int kind;
        int letterAt;
        switch (json[p])
        {
            case (byte)'"':
                kind = 2;
                letterAt = p + 1;
                break;
            case (byte)'{' or (byte)',' when p + 1 < json.Length && json[p + 1] == (byte)'"':
                kind = json[p] == (byte)'{' ? 0 : 1;
                letterAt = p + 2;
                break;
            default:
                return false;
        }

        if (letterAt >= json.Length || json[letterAt] >= 128)
        {
            return false;
        }

        foreach (var candidate in Candidates[kind][json[letterAt]])
        {
            if (json[p..].StartsWith(Words[candidate]))
            {
                word = candidate;
                return true;
            }
        }

        return false;
    }

    private static bool TryEncodeTimestamp(ReadOnlySpan<byte> json, Span<byte> destination)
    {
        // "yyyy-MM-ddTHH:mm:ss.fffffffZ": taken only when formatting its ticks gives back exactly these bytes.
        if (json.Length < TimestampLength || json[TimestampLength - 1] != (byte)'"' || json[11] != (byte)'T' || json[TimestampLength - 2] != (byte)'Z')
        {
            return false;
        }

        Span<char> chars = stackalloc char[TimestampLength - 2];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = (char)json[i + 1];
        }

        if (!DateTime.TryParseExact(chars, EvidenceLeafCodec.TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var value))
        {
            return false;
        }

        Span<byte> check = stackalloc byte[40];
        if (!value.TryFormat(check, out var written, "O", CultureInfo.InvariantCulture) || !check[..written].SequenceEqual(json.Slice(1, TimestampLength - 2)))
        {
            return false;
        }

        destination[0] = Timestamp;
        BinaryPrimitives.WriteInt64BigEndian(destination[1..], value.Ticks);
        return true;
    }

    private static int HexRunLength(ReadOnlySpan<byte> json)
    {
        var length = json.IndexOfAnyExcept(LowerHex);
        return length < 0 ? json.Length : length;
    }

    private static int[][][] BuildCandidates()
    {
        var table = new List<int>[3][];
        for (var k = 0; k < 3; k++)
        {
            table[k] = new List<int>[128];
            for (var c = 0; c < 128; c++)
            {
                table[k][c] = [];
            }
        }

        for (var i = 0; i < Words.Length; i++)
        {
            var w = Words[i];
            var (kind, letter) = w[0] == (byte)'"' ? (2, w[1]) : (w[0] == (byte)'{' ? 0 : 1, w[2]);
            table[kind][letter].Add(i);
        }

        return [.. table.Select(k => k.Select(list => list.OrderByDescending(i => Words[i].Length).ToArray()).ToArray())];
    }
}
