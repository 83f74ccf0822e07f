using System.Buffers;
using System.Globalization;
using System.Text;

namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>
/// Writes JSON in the RFC 8785 JSON Canonicalization Scheme (JCS) for the value types evidence uses: strings, integers of
/// at most 53 bits, booleans, null, arrays and objects. Object members must be written in ascending UTF-16 code unit
/// order of their names (checked); strings escape only what JCS escapes; no whitespace. One instance per thread is reused
/// (<see cref="Rent"/>): encoding runs on every evidence write, so the writer keeps its buffer and scope stack.
/// </summary>
internal sealed class CanonicalJsonWriter
{
    private const long MaxSafeInteger = (1L << 53) - 1;

    // Printable ASCII except '"' and '\': written as is, without escaping or UTF-8 encoding work.
    private static readonly SearchValues<char> PlainAscii = SearchValues.Create(
        " !#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    [ThreadStatic]
    private static CanonicalJsonWriter? cached;

    private readonly ArrayBufferWriter<byte> buffer = new(1024);
    private Scope[] scopes = new Scope[8];
    private int depth;

    public int Position => buffer.WrittenCount;

    public ReadOnlySpan<byte> WrittenSpan => buffer.WrittenSpan;

    /// <summary>Returns this thread's writer, emptied. Use it synchronously and copy what it wrote before the next <see cref="Rent"/>.</summary>
    public static CanonicalJsonWriter Rent()
    {
        var writer = cached ??= new CanonicalJsonWriter();
        writer.buffer.ResetWrittenCount();
        writer.depth = 0;
        return writer;
    }

    public byte[] ToArray() => buffer.WrittenSpan.ToArray();

    public void StartObject()
    {
        BeforeValue();
        WriteRaw((byte)'{');
        Push(isObject: true);
    }

    public void EndObject()
    {
        depth--;
        WriteRaw((byte)'}');
    }

    public void StartArray()
    {
        BeforeValue();
        WriteRaw((byte)'[');
        Push(isObject: false);
    }

    public void EndArray()
    {
        depth--;
        WriteRaw((byte)']');
    }

    public void PropertyName(string name)
    {
        ref var scope = ref Current();
        if (!scope.IsObject)
        {
            throw new InvalidOperationException("A property name is only valid inside an object.");
        }

        if (scope.LastName is not null && string.CompareOrdinal(scope.LastName, name) >= 0)
        {
            throw new InvalidOperationException($"JCS orders members by name: '{name}' written after '{scope.LastName}'.");
        }

        if (scope.Count > 0)
        {
            WriteRaw((byte)',');
        }

        scope.Count++;
        scope.LastName = name;
        scope.AwaitingValue = true;
        WriteEscapedString(name);
        WriteRaw((byte)':');
    }

    public void String(string value)
    {
        BeforeValue();
        WriteEscapedString(value);
    }

    /// <summary>Writes a string value that the caller knows is printable ASCII without quotes or backslashes (hex, timestamps).</summary>
    public void PlainString(ReadOnlySpan<byte> ascii)
    {
        BeforeValue();
        var span = buffer.GetSpan(ascii.Length + 2);
        span[0] = (byte)'"';
        ascii.CopyTo(span[1..]);
        span[ascii.Length + 1] = (byte)'"';
        buffer.Advance(ascii.Length + 2);
    }

    public void Integer(long value)
    {
        if (value is > MaxSafeInteger or < -MaxSafeInteger)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "JCS integers are limited to 53 bits.");
        }

        BeforeValue();
        value.TryFormat(buffer.GetSpan(20), out var written, default, CultureInfo.InvariantCulture);
        buffer.Advance(written);
    }

    public void Boolean(bool value)
    {
        BeforeValue();
        WriteAscii(value ? "true"u8 : "false"u8);
    }

    public void Null()
    {
        BeforeValue();
        WriteAscii("null"u8);
    }

    public void Property(string name, string? value)
    {
        if (value is null)
        {
            return;
        }

        PropertyName(name);
        String(value);
    }

    public void Property(string name, long value)
    {
        PropertyName(name);
        Integer(value);
    }

    public void StringArray(string name, IReadOnlyList<string> values)
    {
        PropertyName(name);
        StartArray();
        for (var i = 0; i < values.Count; i++)
        {
            String(values[i]);
        }

        EndArray();
    }

    /// <summary>Writes an object whose members come from a dictionary, sorted as JCS requires.</summary>
    public void StringMap(string name, IReadOnlyDictionary<string, string> values)
    {
        PropertyName(name);
        StartObject();
        if (values.Count == 1)
        {
            foreach (var pair in values)
            {
                PropertyName(pair.Key);
                String(pair.Value);
            }
        }
        else if (values.Count > 1)
        {
            var keys = new string[values.Count];
            var k = 0;
            foreach (var pair in values)
            {
                keys[k++] = pair.Key;
            }

            Array.Sort(keys, StringComparer.Ordinal);
            foreach (var key in keys)
            {
                PropertyName(key);
                String(values[key]);
            }
        }

        EndObject();
    }

    private void Push(bool isObject)
    {
        if (depth == scopes.Length)
        {
            Array.Resize(ref scopes, depth * 2);
        }

        scopes[depth++] = new Scope { IsObject = isObject };
    }

    private ref Scope Current()
    {
        if (depth == 0)
        {
            throw new InvalidOperationException("A property name is only valid inside an object.");
        }

        return ref scopes[depth - 1];
    }

    private void BeforeValue()
    {
        if (depth == 0)
        {
            return;
        }

        ref var scope = ref scopes[depth - 1];
        if (scope.IsObject)
        {
            if (!scope.AwaitingValue)
            {
                throw new InvalidOperationException("An object member needs a name before its value.");
            }

            scope.AwaitingValue = false;
            return;
        }

        if (scope.Count > 0)
        {
            WriteRaw((byte)',');
        }

        scope.Count++;
    }

    private void WriteEscapedString(string value)
    {
        if (!value.AsSpan().ContainsAnyExcept(PlainAscii))
        {
            // Nearly every evidence string: plain ASCII, one byte per char, nothing to escape.
            var span = buffer.GetSpan(value.Length + 2);
            span[0] = (byte)'"';
            for (var i = 0; i < value.Length; i++)
            {
                span[i + 1] = (byte)value[i];
            }

            span[value.Length + 1] = (byte)'"';
            buffer.Advance(value.Length + 2);
            return;
        }

        WriteRaw((byte)'"');
        var start = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsSurrogate(c))
            {
                if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                {
                    i++;
                    continue;
                }

                throw new ArgumentException("Evidence text must be valid Unicode (a lone surrogate was found).", nameof(value));
            }

            string? escape = c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\b' => "\\b",
                '\f' => "\\f",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < ' ' => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                _ => null,
            };
            if (escape is null)
            {
                continue;
            }

            WriteUtf8(value.AsSpan(start, i - start));
            WriteUtf8(escape);
            start = i + 1;
        }

        WriteUtf8(value.AsSpan(start));
        WriteRaw((byte)'"');
    }

    private void WriteUtf8(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return;
        }

        var span = buffer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        buffer.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    private void WriteAscii(ReadOnlySpan<byte> text)
    {
        text.CopyTo(buffer.GetSpan(text.Length));
        buffer.Advance(text.Length);
    }

    private void WriteRaw(byte value)
    {
        buffer.GetSpan(1)[0] = value;
        buffer.Advance(1);
    }

    private struct Scope
    {
        public bool IsObject;
        public int Count;
        public string? LastName;
        public bool AwaitingValue;
    }
}
