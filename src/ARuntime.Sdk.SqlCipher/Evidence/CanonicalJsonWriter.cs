using System.Buffers;
using System.Globalization;
using System.Text;

namespace ARuntime.Sdk.SqlCipher.Evidence;

/// <summary>
/// Writes JSON in the RFC 8785 JSON Canonicalization Scheme (JCS) for the value types evidence uses: strings, integers of
/// at most 53 bits, booleans, null, arrays and objects. Object members must be written in ascending UTF-16 code unit
/// order of their names (checked); strings escape only what JCS escapes; no whitespace.
/// </summary>
internal sealed class CanonicalJsonWriter
{
    private const long MaxSafeInteger = (1L << 53) - 1;

    private readonly ArrayBufferWriter<byte> buffer = new(512);
    private readonly Stack<Scope> scopes = new();

    public int Position => buffer.WrittenCount;

    public ReadOnlySpan<byte> WrittenSpan => buffer.WrittenSpan;

    public byte[] ToArray() => buffer.WrittenSpan.ToArray();

    public void StartObject()
    {
        BeforeValue();
        WriteRaw((byte)'{');
        scopes.Push(new Scope(IsObject: true));
    }

    public void EndObject()
    {
        scopes.Pop();
        WriteRaw((byte)'}');
    }

    public void StartArray()
    {
        BeforeValue();
        WriteRaw((byte)'[');
        scopes.Push(new Scope(IsObject: false));
    }

    public void EndArray()
    {
        scopes.Pop();
        WriteRaw((byte)']');
    }

    public void PropertyName(string name)
    {
        var scope = scopes.Peek();
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

    public void Integer(long value)
    {
        if (value is > MaxSafeInteger or < -MaxSafeInteger)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "JCS integers are limited to 53 bits.");
        }

        BeforeValue();
        WriteAscii(value.ToString(CultureInfo.InvariantCulture));
    }

    public void Boolean(bool value)
    {
        BeforeValue();
        WriteAscii(value ? "true" : "false");
    }

    public void Null()
    {
        BeforeValue();
        WriteAscii("null");
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

    public void StringArray(string name, IEnumerable<string> values)
    {
        PropertyName(name);
        StartArray();
        foreach (var value in values)
        {
            String(value);
        }

        EndArray();
    }

    /// <summary>Writes an object whose members come from a dictionary, sorted as JCS requires.</summary>
    public void StringMap(string name, IEnumerable<KeyValuePair<string, string>> values)
    {
        PropertyName(name);
        StartObject();
        foreach (var pair in values.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            PropertyName(pair.Key);
            String(pair.Value);
        }

        EndObject();
    }

    private void BeforeValue()
    {
        if (scopes.Count == 0)
        {
            return;
        }

        var scope = scopes.Peek();
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
            WriteAscii(escape);
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

    private void WriteAscii(string text)
    {
        var span = buffer.GetSpan(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            span[i] = (byte)text[i];
        }

        buffer.Advance(text.Length);
    }

    private void WriteRaw(byte value)
    {
        buffer.GetSpan(1)[0] = value;
        buffer.Advance(1);
    }

    private sealed class Scope(bool IsObject)
    {
        public bool IsObject { get; } = IsObject;

        public int Count { get; set; }

        public string? LastName { get; set; }

        public bool AwaitingValue { get; set; }
    }
}
