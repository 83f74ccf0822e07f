using System.Runtime.CompilerServices;
using ARuntime.Sdk.Approvals;
using ARuntime.Sdk.Serialization;
using ARuntime.Sdk.SqlCipher.Storage;
using ARuntime.Sdk.SqlCipher.Tenants;

namespace ARuntime.Sdk.SqlCipher.Approvals;

/// <summary>
/// Paused (approval-waiting) requests on SQLCipher: saved durably before the pause is reported, sealed with the tenant's
/// key (the checkpoint holds the conversation), claimed atomically so two resumes cannot both run one. Scoped per tenant.
/// </summary>
public sealed class SqlCipherApprovalStore : IApprovalStore
{
    private readonly StoreServices services;

    internal SqlCipherApprovalStore(StoreServices services)
    {
        this.services = services;
    }

    /// <inheritdoc />
    public async ValueTask SaveAsync(PausedRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Ticket, nameof(request));
        var ticket = request.Ticket;
        StoreServices.ValidateTenant(ticket.TenantId, nameof(request));
        ArgumentException.ThrowIfNullOrWhiteSpace(ticket.ApprovalId, nameof(request));
        ArgumentException.ThrowIfNullOrWhiteSpace(ticket.RequestId, nameof(request));
        ArgumentException.ThrowIfNullOrWhiteSpace(request.CheckpointFormat, nameof(request));
        var sealedRequest = SealedJson.Seal(services.Keyring.GetOrCreate(ticket.TenantId), request, ARuntimeJsonContext.Default.PausedRequest, Context(ticket.ApprovalId));
        await services.Writer.ExecuteAsync(
            context =>
            {
                using var command = context.Connection.Command(
                    "INSERT OR REPLACE INTO paused_request(tenant_id, approval_id, request_id, claimed, checkpoint_format, sealed, created_ticks, expires_ticks, claimed_ticks) " +
                    "VALUES ($t, $a, $r, 0, $f, $s, $c, $e, NULL)")
                    .With("$t", ticket.TenantId).With("$a", ticket.ApprovalId).With("$r", ticket.RequestId).With("$f", request.CheckpointFormat)
                    .With("$s", sealedRequest).With("$c", ticket.CreatedAt.UtcTicks).With("$e", ticket.ExpiresAt.UtcTicks);
                return command.ExecuteNonQuery();
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<PausedRequest?> GetAsync(string tenantId, string approvalId, CancellationToken cancellationToken = default)
    {
        StoreServices.ValidateTenant(tenantId);
        ArgumentException.ThrowIfNullOrWhiteSpace(approvalId);
        using var lease = await services.Readers.RentAsync(cancellationToken).ConfigureAwait(false);
        using var command = lease.Connection.Command("SELECT sealed FROM paused_request WHERE tenant_id = $t AND approval_id = $a AND claimed = 0")
            .With("$t", tenantId).With("$a", approvalId);
        return command.ExecuteScalar() is byte[] sealedRequest ? Open(tenantId, approvalId, sealedRequest) : null;
    }

    /// <inheritdoc />
    public async ValueTask<PausedRequest?> TryClaimAsync(string tenantId, string approvalId, CancellationToken cancellationToken = default)
    {
        StoreServices.ValidateTenant(tenantId);
        ArgumentException.ThrowIfNullOrWhiteSpace(approvalId);

        // Read and opened outside the writer: a paused request that cannot be opened (its seal damaged) fails the claim and
        // stays pending, without failing (and replaying) the writer's batch; the claim itself is conditional on the row read.
        byte[]? found;
        using (var lease = await services.Readers.RentAsync(cancellationToken).ConfigureAwait(false))
        using (var command = lease.Connection.Command("SELECT sealed FROM paused_request WHERE tenant_id = $t AND approval_id = $a AND claimed = 0")
            .With("$t", tenantId).With("$a", approvalId))
        {
            found = command.ExecuteScalar() as byte[];
        }

        if (found is null)
        {
            return null;
        }

        var opened = Open(tenantId, approvalId, found);
        var claimed = await services.Writer.ExecuteAsync(
            context =>
            {
                using var command = context.Connection.Command("UPDATE paused_request SET claimed = 1, claimed_ticks = $now WHERE tenant_id = $t AND approval_id = $a AND claimed = 0 AND sealed = $s")
                    .With("$now", context.Now.UtcTicks).With("$t", tenantId).With("$a", approvalId).With("$s", found);
                return command.ExecuteNonQuery() == 1;
            },
            cancellationToken).ConfigureAwait(false);
        return claimed ? opened : null;
    }

    /// <inheritdoc />
    /// <remarks>Lists unclaimed tickets that have not expired, oldest first.</remarks>
    public async IAsyncEnumerable<ApprovalTicket> ListPendingAsync(string tenantId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        StoreServices.ValidateTenant(tenantId);
        var pending = new List<ApprovalTicket>();
        using (var lease = await services.Readers.RentAsync(cancellationToken).ConfigureAwait(false))
        {
            using var command = lease.Connection.Command("SELECT approval_id, sealed FROM paused_request WHERE tenant_id = $t AND claimed = 0 AND expires_ticks > $now ORDER BY created_ticks, approval_id")
                .With("$t", tenantId).With("$now", services.Time.GetUtcNow().UtcTicks);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                pending.Add(Open(tenantId, reader.GetString(0), reader.GetBytes(1)).Ticket);
            }
        }

        foreach (var ticket in pending)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return ticket;
        }
    }

    /// <inheritdoc />
    /// <remarks>Reads the ids and expiry columns only: nothing sealed is opened.</remarks>
    public async IAsyncEnumerable<ExpiredApproval> ListExpiredAsync(DateTimeOffset asOf, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var expired = new List<ExpiredApproval>();
        using (var lease = await services.Readers.RentAsync(cancellationToken).ConfigureAwait(false))
        {
            using var command = lease.Connection.Command("SELECT tenant_id, approval_id, request_id, expires_ticks FROM paused_request WHERE claimed = 0 AND expires_ticks <= $asOf ORDER BY expires_ticks, tenant_id, approval_id")
                .With("$asOf", asOf.UtcTicks);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                expired.Add(new ExpiredApproval { TenantId = reader.GetString(0), ApprovalId = reader.GetString(1), RequestId = reader.GetString(2), ExpiresAt = new DateTimeOffset(reader.GetInt64(3), TimeSpan.Zero) });
            }
        }

        foreach (var approval in expired)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return approval;
        }
    }

    private static string Context(string approvalId) => "paused-request\n" + approvalId;

    private PausedRequest Open(string tenantId, string approvalId, byte[] sealedRequest) =>
        SealedJson.Open(services.Keyring.TryGet(tenantId), tenantId, sealedRequest, ARuntimeJsonContext.Default.PausedRequest, Context(approvalId));
}
