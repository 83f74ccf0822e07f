using ARuntime.Sdk.Idempotency;
using ARuntime.Sdk.Serialization;
using ARuntime.Sdk.SqlCipher.Storage;
using ARuntime.Sdk.SqlCipher.Tenants;
using ARuntime.Sdk.Tools;

namespace ARuntime.Sdk.SqlCipher.Idempotency;

/// <summary>
/// The tool operation ledger on SQLCipher: an operation's start is committed before the tool runs and its result after,
/// so an irreversible operation never runs twice for one key, across crashes too (a start without a result is reported
/// in doubt, for reconciliation). Results are sealed with the tenant's key.
/// </summary>
public sealed class SqlCipherOperationLedger : IOperationLedger
{
    private readonly StoreServices services;

    internal SqlCipherOperationLedger(StoreServices services)
    {
        this.services = services;
    }

    /// <inheritdoc />
    public async ValueTask<OperationClaim> TryStartAsync(string tenantId, string operationKey, string toolName, string requestId, CancellationToken cancellationToken = default)
    {
        StoreServices.ValidateTenant(tenantId);
        ArgumentException.ThrowIfNullOrWhiteSpace(operationKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(toolName);
        ArgumentException.ThrowIfNullOrWhiteSpace(requestId);
        var dataKey = services.Keyring.TryGet(tenantId);
        return await services.Writer.ExecuteAsync(
            context =>
            {
                using (var command = context.Connection.Command("SELECT request_id, completed, result FROM tool_operation WHERE tenant_id = $t AND operation_key = $k")
                    .With("$t", tenantId).With("$k", operationKey))
                using (var reader = command.ExecuteReader())
                {
                    if (reader.Read())
                    {
                        var startedBy = reader.GetString(0);
                        return reader.GetInt64(1) == 0
                            ? new OperationClaim { Status = OperationClaimStatus.InDoubt, StartedByRequestId = startedBy }
                            : new OperationClaim
                            {
                                Status = OperationClaimStatus.Completed,
                                StartedByRequestId = startedBy,
                                Result = SealedJson.Open(dataKey, tenantId, reader.GetBytes(2), ARuntimeJsonContext.Default.ToolResult, ResultContext(operationKey)),
                            };
                    }
                }

                using (var command = context.Connection.Command(
                    "INSERT INTO tool_operation(tenant_id, operation_key, tool_name, request_id, completed, result, started_ticks, completed_ticks) VALUES ($t, $k, $n, $r, 0, NULL, $now, NULL)")
                    .With("$t", tenantId).With("$k", operationKey).With("$n", toolName).With("$r", requestId).With("$now", context.Now.UtcTicks))
                {
                    command.ExecuteNonQuery();
                }

                return new OperationClaim { Status = OperationClaimStatus.Started, StartedByRequestId = requestId };
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask CompleteAsync(string tenantId, string operationKey, ToolResult result, CancellationToken cancellationToken = default)
    {
        StoreServices.ValidateTenant(tenantId);
        ArgumentException.ThrowIfNullOrWhiteSpace(operationKey);
        ArgumentNullException.ThrowIfNull(result);
        var sealedResult = SealedJson.Seal(services.Keyring.GetOrCreate(tenantId), result, ARuntimeJsonContext.Default.ToolResult, ResultContext(operationKey));
        var updated = await services.Writer.ExecuteAsync(
            context =>
            {
                using var command = context.Connection.Command("UPDATE tool_operation SET completed = 1, result = $r, completed_ticks = $now WHERE tenant_id = $t AND operation_key = $k")
                    .With("$r", sealedResult).With("$now", context.Now.UtcTicks).With("$t", tenantId).With("$k", operationKey);
                return command.ExecuteNonQuery();
            },
            cancellationToken).ConfigureAwait(false);
        if (updated == 0)
        {
            throw new InvalidOperationException($"Tenant '{tenantId}' has no started operation '{operationKey}' to complete; start it first.");
        }
    }

    /// <inheritdoc />
    public async ValueTask AbandonAsync(string tenantId, string operationKey, CancellationToken cancellationToken = default)
    {
        StoreServices.ValidateTenant(tenantId);
        ArgumentException.ThrowIfNullOrWhiteSpace(operationKey);
        await services.Writer.ExecuteAsync(
            context =>
            {
                // Only an operation without a result may be forgotten; a completed one must never run again.
                using var command = context.Connection.Command("DELETE FROM tool_operation WHERE tenant_id = $t AND operation_key = $k AND completed = 0")
                    .With("$t", tenantId).With("$k", operationKey);
                return command.ExecuteNonQuery();
            },
            cancellationToken).ConfigureAwait(false);
    }

    private static string ResultContext(string key) => "operation-result\n" + key;
}
