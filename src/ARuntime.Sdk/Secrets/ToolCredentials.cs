using ARuntime.Sdk.Lifecycle;

namespace ARuntime.Sdk.Secrets;

/// <summary>
/// Resolves the credential a tool's <c>AuthReference</c> names, for the call, its status query and its compensation alike,
/// and registers it with the request's redactor so it never appears in what the runtime records or shows.
/// </summary>
internal static class ToolCredentials
{
    /// <summary>Returns the credential, or <see langword="null"/> when it cannot be resolved (no resolver, or the resolver failed).</summary>
    public static async ValueTask<SecretValue?> ResolveAsync(ISecretResolver? secrets, RequestContext context, string toolName, string reference, CancellationToken cancellationToken)
    {
        if (secrets is null)
        {
            return null;
        }

        try
        {
            var credential = await secrets.ResolveAsync(new SecretRequest { Reference = reference, TenantId = context.TenantId, ToolName = toolName, RequestId = context.RequestId }, cancellationToken).ConfigureAwait(false);
            context.Redactor.Track(credential);
            return credential;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A resolver that gave up on its own (a vault client's HTTP timeout) is a missing credential, not the request's end.
            return null;
        }
    }
}
