using System.Runtime.CompilerServices;

namespace ARuntime.Sdk.Approvals;

/// <summary>
/// A volatile approval store (the default): paused requests survive only as long as the process. Register a durable store
/// (for example <c>UseSqlCipherStore</c>) so an approval granted after a restart can resume its request.
/// </summary>
public sealed class InMemoryApprovalStore : IApprovalStore
{
    private readonly Dictionary<(string Tenant, string Id), PausedRequest> pending = [];
    private readonly Lock gate = new();

    /// <inheritdoc />
    public ValueTask SaveAsync(PausedRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (gate)
        {
            pending[(request.Ticket.TenantId, request.Ticket.ApprovalId)] = request;
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<PausedRequest?> GetAsync(string tenantId, string approvalId, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return ValueTask.FromResult(pending.GetValueOrDefault((tenantId, approvalId)));
        }
    }

    /// <inheritdoc />
    public ValueTask<PausedRequest?> TryClaimAsync(string tenantId, string approvalId, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return ValueTask.FromResult(pending.Remove((tenantId, approvalId), out var request) ? request : null);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ApprovalTicket> ListPendingAsync(string tenantId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        List<ApprovalTicket> tickets;
        lock (gate)
        {
            tickets = [.. pending.Where(p => p.Key.Tenant == tenantId).Select(p => p.Value.Ticket).OrderBy(t => t.CreatedAt)];
        }

        foreach (var ticket in tickets)
        {
            yield return ticket;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ExpiredApproval> ListExpiredAsync(DateTimeOffset asOf, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        List<ExpiredApproval> expired;
        lock (gate)
        {
            expired = [.. pending.Values
                .Select(p => p.Ticket)
                .Where(t => t.ExpiresAt <= asOf)
                .OrderBy(t => t.ExpiresAt)
                .Select(t => new ExpiredApproval { TenantId = t.TenantId, ApprovalId = t.ApprovalId, RequestId = t.RequestId, ExpiresAt = t.ExpiresAt })];
        }

        foreach (var approval in expired)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return approval;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }
}
