using System.Globalization;
using System.Text.Json;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Tools;
using ARuntime.Sdk.Validation;

namespace ARuntime.Sdk.Admission;

/// <summary>The runtime's mandatory admission checks: each failure is a typed error naming the offending field.</summary>
internal static class RequestValidator
{
    private static readonly string SupportedVersions = string.Join(", ", ContractVersions.SupportedMajorVersions);

    public static AgentError? Validate(RuntimeRequest request, DateTimeOffset now, AdmissionOptions options, IToolRegistry tools)
    {
        if (string.IsNullOrEmpty(request.ContractVersion))
        {
            return Error(AgentErrorCodes.UnsupportedContractVersion, "contractVersion",
                $"The request does not state its contract version; this runtime reads major version(s) {SupportedVersions}.");
        }

        if (!ContractVersions.IsSupported(request.ContractVersion))
        {
            return Error(AgentErrorCodes.UnsupportedContractVersion, "contractVersion",
                $"Contract version '{request.ContractVersion}' is not supported; this runtime reads major version(s) {SupportedVersions}.");
        }

        // Nested versioned contracts are checked before anything reads them.
        if (request.Route is { } route && !ContractVersions.IsSupported(route.ContractVersion))
        {
            return Error(AgentErrorCodes.UnsupportedContractVersion, "route.contractVersion", $"Route contract version '{route.ContractVersion}' is not supported; this runtime reads major version(s) {SupportedVersions}.");
        }

        if (request.Trace is { } traceContext && !ContractVersions.IsSupported(traceContext.ContractVersion))
        {
            return Error(AgentErrorCodes.UnsupportedContractVersion, "trace.contractVersion", $"Trace context contract version '{traceContext.ContractVersion}' is not supported; this runtime reads major version(s) {SupportedVersions}.");
        }

        var identity = request.Identity;
        if (identity is null || string.IsNullOrWhiteSpace(identity.TenantId))
        {
            return Error(AgentErrorCodes.MissingTenant, "identity.tenantId", "The request must name its tenant.");
        }

        if (identity.TenantId.Length > options.MaxIdentifierLength)
        {
            return Error(AgentErrorCodes.InvalidField, "identity.tenantId", $"The tenant id is longer than {options.MaxIdentifierLength} characters.");
        }

        if (identity.Actor is null || string.IsNullOrWhiteSpace(identity.Actor.Id))
        {
            return Error(AgentErrorCodes.MissingActor, "identity.actor.id", "The request must name the actor it runs for.");
        }

        if (identity.Actor.Id.Length > options.MaxIdentifierLength)
        {
            return Error(AgentErrorCodes.InvalidField, "identity.actor.id", $"The actor id is longer than {options.MaxIdentifierLength} characters.");
        }

        for (var i = 0; i < identity.DelegatedBy.Count; i++)
        {
            if (identity.DelegatedBy[i] is null || string.IsNullOrWhiteSpace(identity.DelegatedBy[i].DelegatorId))
            {
                return Error(AgentErrorCodes.InvalidField, Indexed("identity.delegatedBy", i) + ".delegatorId", "Every delegation link must name its delegator.");
            }
        }

        var task = request.Task;
        if (task is null || string.IsNullOrWhiteSpace(task.Prompt))
        {
            return Error(AgentErrorCodes.MissingTask, "task.prompt", "The request must carry a task prompt.");
        }

        if (task.History.Count > options.MaxHistoryMessages)
        {
            return Error(AgentErrorCodes.InvalidField, "task.history", $"The history has {task.History.Count} messages; the limit is {options.MaxHistoryMessages}.");
        }

        long characters = task.Prompt.Length + (task.Instructions?.Length ?? 0);
        for (var i = 0; i < task.History.Count; i++)
        {
            var message = task.History[i];
            if (message is null || message.Content is null)
            {
                return Error(AgentErrorCodes.InvalidField, Indexed("task.history", i), "History messages must have content.");
            }

            if (message.Role is MessageRole.System or MessageRole.Tool)
            {
                return Error(AgentErrorCodes.InvalidField, Indexed("task.history", i) + ".role", "History may hold only user and assistant messages; instructions go in task.instructions.");
            }

            characters += message.Content.Length;
        }

        if (characters > options.MaxTaskCharacters)
        {
            return Error(AgentErrorCodes.TaskTooLarge, "task.prompt",
                string.Create(CultureInfo.InvariantCulture, $"The task is {characters} characters (prompt, instructions and history); the limit is {options.MaxTaskCharacters}."));
        }

        if (request.Deadline is { } deadline && deadline <= now)
        {
            return Error(AgentErrorCodes.DeadlinePassed, "deadline", "The deadline has already passed.");
        }

        var budgetError = ValidateBudget(request.Budget);
        if (budgetError is not null)
        {
            return budgetError;
        }

        for (var i = 0; i < request.AllowedTools.Count; i++)
        {
            var name = request.AllowedTools[i];
            if (string.IsNullOrEmpty(name) || !tools.TryGetTool(name, out _))
            {
                return Error(AgentErrorCodes.UnknownTool, Indexed("allowedTools", i), $"Tool '{name}' is not registered.");
            }
        }

        if (request.Output is { } output && !JsonSchemaValidator.Shared.TryPrepare(output.Schema, out var schemaError))
        {
            return Error(AgentErrorCodes.InvalidField, "output.schema", $"The output contract is not a usable JSON Schema: {schemaError}");
        }

        if (request.Trace is { } trace && (!TraceContext.IsValidTraceId(trace.TraceId) || !TraceContext.IsValidSpanId(trace.SpanId)))
        {
            return Error(AgentErrorCodes.InvalidField, "trace", "The trace context must carry a W3C trace id (32 lowercase hex) and span id (16 lowercase hex), not all zeros.");
        }

        for (var i = 0; i < request.Context.Count; i++)
        {
            var context = request.Context[i];
            if (context is null || string.IsNullOrWhiteSpace(context.Source))
            {
                return Error(AgentErrorCodes.InvalidField, Indexed("context", i) + ".source", "Every context request must name a source.");
            }

            if (context.MaxItems is < 1)
            {
                return Error(AgentErrorCodes.InvalidField, Indexed("context", i) + ".maxItems", "maxItems must be at least 1.");
            }

            if (context.MaxAge is { } maxAge && maxAge <= TimeSpan.Zero)
            {
                return Error(AgentErrorCodes.InvalidField, Indexed("context", i) + ".maxAge", "maxAge must be positive.");
            }
        }

        if (request.IdempotencyKey is { } key && (key.Length == 0 || key.Length > options.MaxIdentifierLength))
        {
            return Error(AgentErrorCodes.InvalidField, "idempotencyKey", $"The idempotency key must be 1 to {options.MaxIdentifierLength} characters.");
        }

        if (request.CorrelationId is { Length: > 0 } correlation && correlation.Length > options.MaxIdentifierLength)
        {
            return Error(AgentErrorCodes.InvalidField, "correlationId", $"The correlation id is longer than {options.MaxIdentifierLength} characters.");
        }

        if (request.Memory is { Scope: MemoryScopeKind.Session, Mode: not MemoryMode.None } && string.IsNullOrEmpty(identity.SessionId))
        {
            return Error(AgentErrorCodes.InvalidField, "memory.scope", "Session-scoped memory needs identity.sessionId.");
        }

        return null;
    }

    private static AgentError? ValidateBudget(Budget? budget)
    {
        if (budget is null)
        {
            return null;
        }

        if (budget.MaxPromptTokens is < 0)
        {
            return Negative("budget.maxPromptTokens");
        }

        if (budget.MaxGeneratedTokens is < 0)
        {
            return Negative("budget.maxGeneratedTokens");
        }

        if (budget.MaxWallTime is { } wall && wall <= TimeSpan.Zero)
        {
            return Error(AgentErrorCodes.InvalidBudget, "budget.maxWallTime", "The wall-time budget must be positive.");
        }

        if (budget.MaxCost is < 0)
        {
            return Negative("budget.maxCost");
        }

        if (budget.MaxToolCalls is < 0)
        {
            return Negative("budget.maxToolCalls");
        }

        if (budget.MaxRetries is < 0)
        {
            return Negative("budget.maxRetries");
        }

        if (budget.MaxModelTurns is < 0)
        {
            return Negative("budget.maxModelTurns");
        }

        if (budget.MaxHumanReviews is < 0)
        {
            return Negative("budget.maxHumanReviews");
        }

        return null;
    }

    private static AgentError Negative(string field) => Error(AgentErrorCodes.InvalidBudget, field, $"{field} cannot be negative.");

    private static AgentError Error(string code, string field, string message) =>
        new() { Code = code, Field = field, Message = message, Stage = LifecycleStage.Admission };

    private static string Indexed(string field, int index) => string.Create(CultureInfo.InvariantCulture, $"{field}[{index}]");

    /// <summary>
    /// Computes the digest of a request's content for idempotency (its JSON form, SHA-256). The trace context and deadline
    /// are excluded: a client retrying the same request carries a new trace and deadline.
    /// </summary>
    public static string Digest(RuntimeRequest request)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(request with { Trace = null, Deadline = null }, Serialization.ARuntimeJsonContext.Default.RuntimeRequest);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
    }
}
