namespace ARuntime.Sdk.Secrets;

/// <summary>
/// Removes the values of credentials resolved during a request from any text before a model, a log or evidence sees it
/// (defence in depth: a tool that echoes its credential must not leak it).
/// </summary>
internal sealed class SecretRedactor
{
    private readonly List<SecretValue> secrets = [];
    private readonly HashSet<string> redacted = new(StringComparer.Ordinal);

    public bool IsEmpty => secrets.Count == 0;

    /// <summary>Gets how many distinct credentials were found, and redacted, in some text (a safety signal for evaluation).</summary>
    public int RedactedSecretCount => redacted.Count;

    public void Track(SecretValue secret)
    {
        foreach (var known in secrets)
        {
            if (ReferenceEquals(known, secret) || string.Equals(known.Reveal(), secret.Reveal(), StringComparison.Ordinal))
            {
                return;
            }
        }

        secrets.Add(secret);
    }

    /// <summary>Returns <paramref name="text"/> with every tracked secret value replaced by <c>[REDACTED:reference]</c>.</summary>
    public string Redact(string text)
    {
        if (secrets.Count == 0 || string.IsNullOrEmpty(text))
        {
            return text;
        }

        foreach (var secret in secrets)
        {
            var value = secret.Reveal();
            if (text.Contains(value, StringComparison.Ordinal))
            {
                text = text.Replace(value, $"[REDACTED:{secret.Reference}]", StringComparison.Ordinal);
                redacted.Add(secret.Reference);
            }
        }

        return text;
    }

    /// <summary>Returns whether <paramref name="text"/> contains a tracked secret value.</summary>
    public bool Contains(string? text)
    {
        if (secrets.Count == 0 || string.IsNullOrEmpty(text))
        {
            return false;
        }

        foreach (var secret in secrets)
        {
            if (text.Contains(secret.Reveal(), StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
