namespace ARuntime.Sdk.SqlCipher.Storage;

/// <summary>A write that runs a function in the batch transaction and hands its result to the awaiting caller after commit.</summary>
internal sealed class WorkOperation<T>(Func<WriteContext, T> work, bool exclusive = false) : WriteOperation
{
    private readonly TaskCompletionSource<T> completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T? result;

    public override bool Exclusive => exclusive;

    public Task<T> Task => completion.Task;

    public override void Execute(WriteContext context)
    {
        // Work may read or delete rows that appends earlier in the batch buffered.
        context.Log.FlushPending();
        result = work(context);
    }

    public override void Complete() => completion.TrySetResult(result!);

    public override void Fail(Exception error) => completion.TrySetException(error);
}
