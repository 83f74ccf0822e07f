using ARuntime.Sdk.Idempotency;
using ARuntime.Sdk.Serialization;
using ARuntime.Sdk.SqlCipher.Storage;
using ARuntime.Sdk.SqlCipher.Tenants;

namespace ARuntime.Sdk.SqlCipher.Idempotency;

/// <summary>
/// Request idempotency keys on SQLCipher, per tenant, with the digest of the first request: a repeat returns the original
/// result, a different request under the same key is a conflict, a repeat while the original runs is in progress. Claims
/// are durable before they return, so a restart never runs a request twice. Results are sealed with the tenant's key.
/// </summary>
public sealed class SqlCipherIdempotencyStore : IIdempotencyStore
{
    private readonly StoreServices services;

    internal SqlCipherIdempotencyStore(StoreServices services)
    {
        this.services = services;
    }

    /// <inheritdoc />
    public async ValueTask<IdempotencyClaim> TryClaimAsync(string tenantId, string key, string requestDigest, string requestId, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        StoreServices.ValidateTenant(tenantId);
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentException.ThrowIfNullOrWhiteSpace(requestDigest);
        ArgumentException.ThrowIfNullOrWhiteSpace(requestId);
        var dataKey = services.Keyring.TryGet(tenantId);
        return await services.Writer.ExecuteAsync(
            context =>
            {
                var connection = context.Connection;
                using (var command = connection.Command("SELECT request_digest, request_id, completed, result, expires_ticks FROM idempotency_key WHERE tenant_id = $t AND idempotency_key = $k")
                    .With("$t", tenantId).With("$k", key))
                using (var reader = command.ExecuteReader())
                {
                    if (reader.Read() && reader.GetInt64(4) > context.Now.UtcTicks)
                    {
                        var originalRequest = reader.GetString(1);
                        if (!string.Equals(reader.GetString(0), requestDigest, StringComparison.Ordinal))
                        {
                            return new IdempotencyClaim { Status = IdempotencyClaimStatus.Conflict, OriginalRequestId = originalRequest };
                        }

                        if (reader.GetInt64(2) == 0)
                        {
                            return new IdempotencyClaim { Status = IdempotencyClaimStatus.InProgress, OriginalRequestId = originalRequest };
                        }

                        return new IdempotencyClaim
                        {
                            Status = IdempotencyClaimStatus.Completed,
                            OriginalRequestId = originalRequest,
                            Result = SealedJson.Open(dataKey, tenantId, reader.GetBytes(3), ARuntimeJsonContext.Default.AgentResult, ResultContext(key)),
                        };
                    }
                }

                // Free, or expired: (re)claim it.
                using (var command = connection.Command(
                    "INSERT OR REPLACE INTO idempotency_key(tenant_id, idempotency_key, request_digest, request_id, completed, result, created_ticks, expires_ticks) VALUES ($t, $k, $d, $r, 0, NULL, $now, $e)")
                    .With("$t", tenantId).With("$k", key).With("$d", requestDigest).With("$r", requestId).With("$now", context.Now.UtcTicks).With("$e", expiresAt.UtcTicks))
                {
                    command.ExecuteNonQuery();
                }

                return new IdempotencyClaim { Status = IdempotencyClaimStatus.Claimed, OriginalRequestId = requestId };
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask CompleteAsync(string tenantId, string key, AgentResult result, CancellationToken cancellationToken = default)
    {
        StoreServices.ValidateTenant(tenantId);
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentNullException.ThrowIfNull(result);
        var sealedResult = SealedJson.Seal(services.Keyring.GetOrCreate(tenantId), result, ARuntimeJsonContext.Default.AgentResult, ResultContext(key));
        var updated = await services.Writer.ExecuteAsync(
            context =>
            {
                // Only the request holding the key answers for it (see IIdempotencyStore.CompleteAsync).
                using var command = context.Connection.Command("UPDATE idempotency_key SET completed = 1, result = $r WHERE tenant_id = $t AND idempotency_key = $k AND request_id = $q")
                    .With("$r", sealedResult).With("$t", tenantId).With("$k", key).With("$q", result.RequestId);
                if (command.ExecuteNonQuery() > 0)
                {
                    return 1;
                }

                using var held = context.Connection.Command("SELECT count(*) FROM idempotency_key WHERE tenant_id = $t AND idempotency_key = $k")
                    .With("$t", tenantId).With("$k", key);
                return Convert.ToInt32(held.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            },
            cancellationToken).ConfigureAwait(false);
        if (updated == 0)
        {
            throw new InvalidOperationException($"Tenant '{tenantId}' holds no idempotency key '{key}' to complete; claim it first.");
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Compare-and-set in one write transaction: the key is deleted only while <paramref name="requestId"/> holds it and no
    /// result is recorded, so of two callers releasing the same interrupted key only one succeeds, and a key that another
    /// request has claimed meanwhile (or that was completed) is never released.
    /// </remarks>
    public async ValueTask<bool> ReleaseAsync(string tenantId, string key, string requestId, CancellationToken cancellationToken = default)
    {
        StoreServices.ValidateTenant(tenantId);
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentException.ThrowIfNullOrWhiteSpace(requestId);
        return await services.Writer.ExecuteAsync(
            context =>
            {
                using var command = context.Connection.Command(
                    "DELETE FROM idempotency_key WHERE tenant_id = $t AND idempotency_key = $k AND request_id = $r AND completed = 0")
                    .With("$t", tenantId).With("$k", key).With("$r", requestId);
                return command.ExecuteNonQuery() == 1;
            },
            cancellationToken).ConfigureAwait(false);
    }

    private static string ResultContext(string key) => "idempotency-result\n" + key;
}
