using ARuntime.Sdk.Approvals;
using ARuntime.Sdk.Idempotency;
using ARuntime.Sdk.Recovery;
using ARuntime.Sdk.SqlCipher;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ARuntime.Sdk;

/// <summary>Registers the SQLCipher store with the runtime.</summary>
public static class SqlCipherARuntimeBuilderExtensions
{
    /// <summary>
    /// Stores evidence, memory, idempotency keys, tool operations, paused requests and the request journal in one
    /// encrypted SQLCipher database, replacing the in-memory defaults (whatever the order of registration). The store
    /// opens on first use and closes with the service provider. When the runtime captures raw content
    /// (<c>ARuntimeOptions.Evidence.CaptureRawContent</c>) the store keeps it too, sealed per tenant.
    /// </summary>
    /// <param name="builder">The runtime builder.</param>
    /// <param name="configure">Configures the store (at least <see cref="SqlCipherStoreOptions.DatabasePath"/> and <see cref="SqlCipherStoreOptions.KeyProvider"/>).</param>
    /// <returns>The builder.</returns>
    public static ARuntimeBuilder UseSqlCipherStore(this ARuntimeBuilder builder, Action<SqlCipherStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.AddOptions<SqlCipherStoreOptions>()
            .Configure(configure)
            .PostConfigure<IOptions<ARuntimeOptions>>((store, runtime) => store.StoreRawPayloadContent |= runtime.Value.Evidence.CaptureRawContent)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SqlCipherStoreOptions>, SqlCipherStoreOptionsValidator>());

        // A durable sink replaces volatile evidence, so records are no longer flagged volatile-storage.
        services.Configure<ARuntimeOptions>(o => o.Evidence.VolatileStorageAccepted = false);

        services.RemoveAll<SqlCipherStore>();
        services.AddSingleton(sp => SqlCipherStore.OpenAsync(
                sp.GetRequiredService<IOptions<SqlCipherStoreOptions>>().Value,
                sp.GetService<TimeProvider>(),
                sp.GetService<ILoggerFactory>())
            .GetAwaiter()
            .GetResult());
        builder.UseEvidenceSink(sp => sp.GetRequiredService<SqlCipherStore>().Evidence);
        builder.UseMemoryStore(sp => sp.GetRequiredService<SqlCipherStore>().Memory);
        Replace<IIdempotencyStore>(services, sp => sp.GetRequiredService<SqlCipherStore>().Idempotency);
        Replace<IOperationLedger>(services, sp => sp.GetRequiredService<SqlCipherStore>().Operations);
        Replace<IApprovalStore>(services, sp => sp.GetRequiredService<SqlCipherStore>().Approvals);
        Replace<IRequestJournal>(services, sp => sp.GetRequiredService<SqlCipherStore>().Journal);
        return builder;
    }

    private static void Replace<TService>(IServiceCollection services, Func<IServiceProvider, TService> factory)
        where TService : class
    {
        services.RemoveAll<TService>();
        services.AddSingleton(factory);
    }
}
