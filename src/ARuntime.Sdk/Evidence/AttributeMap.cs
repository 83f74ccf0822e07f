using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace ARuntime.Sdk.Evidence;

/// <summary>
/// The attributes of an evidence record: a handful of key/value pairs in insertion order. An array with linear lookup is
/// smaller and cheaper to build than a hash table at this size, and records are built on every stage of every request.
/// </summary>
internal sealed class AttributeMap : IReadOnlyDictionary<string, string>
{
    private KeyValuePair<string, string>[] items;
    private int count;

    public AttributeMap(int capacity = 6)
    {
        items = new KeyValuePair<string, string>[Math.Max(1, capacity)];
    }

    public int Count => count;

    public IEnumerable<string> Keys
    {
        get
        {
            for (var i = 0; i < count; i++)
            {
                yield return items[i].Key;
            }
        }
    }

    public IEnumerable<string> Values
    {
        get
        {
            for (var i = 0; i < count; i++)
            {
                yield return items[i].Value;
            }
        }
    }

    public string this[string key]
    {
        get => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"No attribute '{key}'.");
        set => Set(key, value);
    }

    /// <summary>Sets an attribute, replacing an earlier value of the same key.</summary>
    public AttributeMap Set(string key, string value)
    {
        for (var i = 0; i < count; i++)
        {
            if (string.Equals(items[i].Key, key, StringComparison.Ordinal))
            {
                items[i] = new KeyValuePair<string, string>(key, value);
                return this;
            }
        }

        if (count == items.Length)
        {
            Array.Resize(ref items, count * 2);
        }

        items[count++] = new KeyValuePair<string, string>(key, value);
        return this;
    }

    public bool ContainsKey(string key) => TryGetValue(key, out _);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        for (var i = 0; i < count; i++)
        {
            if (string.Equals(items[i].Key, key, StringComparison.Ordinal))
            {
                value = items[i].Value;
                return true;
            }
        }

        value = null;
        return false;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
    {
        for (var i = 0; i < count; i++)
        {
            yield return items[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
