using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Storage;
using Xunit;

namespace Orleans.Mail.Storage.Tests;

/// <summary>
/// Orleans.Persistence.AdoNet against our schema, through the IGrainStorage the silo registered for each
/// provider name: round trips for every kind of grain key, ETag conflicts, clear and delete-on-clear.
/// </summary>
[Collection(OrleansContractCollection.Name)]
public sealed class GrainStorageContractTests(OrleansContractFixture fixture)
{
    private const string StateGrainType = "Orleans.Mail.Storage.Tests.ContractStateGrain";

    public static TheoryData<string> KeyKinds => new() { "guid", "guid+extension", "integer", "integer+extension", "string" };

    private IGrainStorage Storage => fixture.SiloServices.GetRequiredKeyedService<IGrainStorage>(OrleansContractFixture.StorageName);

    private IGrainStorage DeletingStorage =>
        fixture.SiloServices.GetRequiredKeyedService<IGrainStorage>(OrleansContractFixture.DeletingStorageName);

    [Theory]
    [MemberData(nameof(KeyKinds))]
    public async Task WriteStateAsync_NewGrain_ReadStateReturnsStateAndFirstVersion(string keyKind)
    {
        var grainId = NewGrainId(keyKind);
        var written = new GrainState<ContractState> { State = new ContractState { Subject = $"hello {keyKind}", Count = 3 } };

        await Storage.WriteStateAsync(StateGrainType, grainId, written, Ct);

        Assert.Equal("1", written.ETag);
        Assert.True(written.RecordExists);
        var read = new GrainState<ContractState>();
        await Storage.ReadStateAsync(StateGrainType, grainId, read, Ct);
        Assert.Equal($"hello {keyKind}", read.State!.Subject);
        Assert.Equal(3, read.State!.Count);
        Assert.Equal("1", read.ETag);
        Assert.True(read.RecordExists);
        Assert.Equal(1L, await CountRowsAsync(grainId));
    }

    [Fact]
    public async Task ReadStateAsync_UnknownGrain_ReturnsDefaultStateWithoutETag()
    {
        var read = new GrainState<ContractState>();

        await Storage.ReadStateAsync(StateGrainType, NewGrainId("guid"), read, Ct);

        Assert.NotNull(read.State);
        Assert.Equal("", read.State!.Subject);
        Assert.Null(read.ETag);
        Assert.False(read.RecordExists);
    }

    [Fact]
    public async Task WriteStateAsync_CurrentETag_StoresNewStateAndNextVersion()
    {
        var grainId = NewGrainId("integer");
        var state = new GrainState<ContractState> { State = new ContractState { Subject = "first" } };
        await Storage.WriteStateAsync(StateGrainType, grainId, state, Ct);
        state.State = new ContractState { Subject = "second", Count = 2 };

        await Storage.WriteStateAsync(StateGrainType, grainId, state, Ct);

        Assert.Equal("2", state.ETag);
        var read = new GrainState<ContractState>();
        await Storage.ReadStateAsync(StateGrainType, grainId, read, Ct);
        Assert.Equal("second", read.State!.Subject);
        Assert.Equal("2", read.ETag);
        Assert.Equal(1L, await CountRowsAsync(grainId));
    }

    [Fact]
    public async Task WriteStateAsync_StaleETag_ThrowsInconsistentStateExceptionAndKeepsNewerState()
    {
        var grainId = NewGrainId("guid");
        var winner = new GrainState<ContractState> { State = new ContractState { Subject = "v1" } };
        await Storage.WriteStateAsync(StateGrainType, grainId, winner, Ct);
        var loser = new GrainState<ContractState>();
        await Storage.ReadStateAsync(StateGrainType, grainId, loser, Ct);
        winner.State = new ContractState { Subject = "v2" };
        await Storage.WriteStateAsync(StateGrainType, grainId, winner, Ct);
        loser.State = new ContractState { Subject = "lost update" };

        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync(StateGrainType, grainId, loser, Ct));

        Assert.Equal("1", loser.ETag);
        var read = new GrainState<ContractState>();
        await Storage.ReadStateAsync(StateGrainType, grainId, read, Ct);
        Assert.Equal("v2", read.State!.Subject);
        Assert.Equal("2", read.ETag);
    }

    [Fact]
    public async Task WriteStateAsync_NoETagButRowExists_ThrowsInconsistentStateException()
    {
        var grainId = NewGrainId("string");
        await Storage.WriteStateAsync(StateGrainType, grainId, new GrainState<ContractState> { State = new ContractState { Subject = "first activation" } }, Ct);
        var secondActivation = new GrainState<ContractState> { State = new ContractState { Subject = "second activation" } };

        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync(StateGrainType, grainId, secondActivation, Ct));

        var read = new GrainState<ContractState>();
        await Storage.ReadStateAsync(StateGrainType, grainId, read, Ct);
        Assert.Equal("first activation", read.State!.Subject);
        Assert.Equal(1L, await CountRowsAsync(grainId));
    }

    [Fact]
    public async Task WriteStateAsync_ConcurrentFirstWrites_ExactlyOneSucceeds()
    {
        var grainId = NewGrainId("guid");
        var states = Enumerable.Range(0, 8)
            .Select(i => new GrainState<ContractState> { State = new ContractState { Subject = $"writer {i}", Count = i } })
            .ToArray();

        var outcomes = await Task.WhenAll(states.Select(async state =>
        {
            try
            {
                await Storage.WriteStateAsync(StateGrainType, grainId, state, Ct);
                return true;
            }
            catch (InconsistentStateException)
            {
                return false;
            }
        }));

        var winner = states[Assert.Single(Enumerable.Range(0, states.Length), i => outcomes[i])];
        Assert.Equal("1", winner.ETag);
        var read = new GrainState<ContractState>();
        await Storage.ReadStateAsync(StateGrainType, grainId, read, Ct);
        Assert.Equal(winner.State!.Subject, read.State!.Subject);
        Assert.Equal(1L, await CountRowsAsync(grainId));
    }

    [Fact]
    public async Task WriteStateAsync_SameKeyWithAndWithoutExtension_KeepsSeparateStates()
    {
        var key = Guid.NewGuid();
        var plain = GrainId.Create(GrainTypeOf("guid"), GrainIdKeyExtensions.CreateGuidKey(key));
        var extended = GrainId.Create(GrainTypeOf("guid"), GrainIdKeyExtensions.CreateGuidKey(key, "ext"));

        await Storage.WriteStateAsync(StateGrainType, plain, new GrainState<ContractState> { State = new ContractState { Subject = "plain" } }, Ct);
        await Storage.WriteStateAsync(StateGrainType, extended, new GrainState<ContractState> { State = new ContractState { Subject = "extended" } }, Ct);

        var readPlain = new GrainState<ContractState>();
        var readExtended = new GrainState<ContractState>();
        await Storage.ReadStateAsync(StateGrainType, plain, readPlain, Ct);
        await Storage.ReadStateAsync(StateGrainType, extended, readExtended, Ct);
        Assert.Equal("plain", readPlain.State!.Subject);
        Assert.Equal("extended", readExtended.State!.Subject);
        Assert.Equal("1", readPlain.ETag);
        Assert.Equal("1", readExtended.ETag);
    }

    [Fact]
    public async Task ClearStateAsync_CurrentETag_EmptiesStateAndVersionChainContinues()
    {
        var grainId = NewGrainId("guid+extension");
        var state = new GrainState<ContractState> { State = new ContractState { Subject = "to be cleared", Count = 9 } };
        await Storage.WriteStateAsync(StateGrainType, grainId, state, Ct);

        await Storage.ClearStateAsync(StateGrainType, grainId, state, Ct);

        Assert.Equal("2", state.ETag);
        Assert.False(state.RecordExists);
        Assert.Equal("", state.State!.Subject);
        var read = new GrainState<ContractState>();
        await Storage.ReadStateAsync(StateGrainType, grainId, read, Ct);
        Assert.Equal("", read.State!.Subject);
        Assert.Equal(0, read.State!.Count);
        Assert.Equal("2", read.ETag);
        Assert.False(read.RecordExists);
        read.State = new ContractState { Subject = "after clear" };
        await Storage.WriteStateAsync(StateGrainType, grainId, read, Ct);
        Assert.Equal("3", read.ETag);
    }

    [Fact]
    public async Task ClearStateAsync_StaleETag_ThrowsInconsistentStateExceptionAndKeepsState()
    {
        var grainId = NewGrainId("integer+extension");
        var current = new GrainState<ContractState> { State = new ContractState { Subject = "v1" } };
        await Storage.WriteStateAsync(StateGrainType, grainId, current, Ct);
        var stale = new GrainState<ContractState>();
        await Storage.ReadStateAsync(StateGrainType, grainId, stale, Ct);
        current.State = new ContractState { Subject = "v2" };
        await Storage.WriteStateAsync(StateGrainType, grainId, current, Ct);

        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.ClearStateAsync(StateGrainType, grainId, stale, Ct));

        var read = new GrainState<ContractState>();
        await Storage.ReadStateAsync(StateGrainType, grainId, read, Ct);
        Assert.Equal("v2", read.State!.Subject);
        Assert.True(read.RecordExists);
    }

    [Fact]
    public async Task ClearStateAsync_DeleteStateOnClear_RemovesTheRow()
    {
        var grainId = NewGrainId("guid");
        var state = new GrainState<ContractState> { State = new ContractState { Subject = "short-lived" } };
        await DeletingStorage.WriteStateAsync(StateGrainType, grainId, state, Ct);
        Assert.Equal(1L, await CountRowsAsync(grainId));

        await DeletingStorage.ClearStateAsync(StateGrainType, grainId, state, Ct);

        Assert.Null(state.ETag);
        Assert.False(state.RecordExists);
        Assert.Equal(0L, await CountRowsAsync(grainId));
        var read = new GrainState<ContractState>();
        await DeletingStorage.ReadStateAsync(StateGrainType, grainId, read, Ct);
        Assert.Null(read.ETag);
        Assert.False(read.RecordExists);
        await DeletingStorage.WriteStateAsync(StateGrainType, grainId, read, Ct);
        Assert.Equal("1", read.ETag);
    }

    [Fact]
    public async Task ClearStateAsync_DeleteStateOnClearWithStaleETag_ThrowsInconsistentStateExceptionAndKeepsRow()
    {
        var grainId = NewGrainId("integer");
        var current = new GrainState<ContractState> { State = new ContractState { Subject = "v1" } };
        await DeletingStorage.WriteStateAsync(StateGrainType, grainId, current, Ct);
        var stale = new GrainState<ContractState>();
        await DeletingStorage.ReadStateAsync(StateGrainType, grainId, stale, Ct);
        await DeletingStorage.WriteStateAsync(StateGrainType, grainId, current, Ct);

        await Assert.ThrowsAsync<InconsistentStateException>(() => DeletingStorage.ClearStateAsync(StateGrainType, grainId, stale, Ct));

        Assert.Equal(1L, await CountRowsAsync(grainId));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static GrainType GrainTypeOf(string keyKind) => GrainType.Create($"contract-{keyKind.Replace('+', '-')}");

    private static GrainId NewGrainId(string keyKind) => keyKind switch
    {
        "guid" => GrainId.Create(GrainTypeOf(keyKind), GrainIdKeyExtensions.CreateGuidKey(Guid.NewGuid())),
        "guid+extension" => GrainId.Create(GrainTypeOf(keyKind), GrainIdKeyExtensions.CreateGuidKey(Guid.NewGuid(), "mailbox/7")),
        "integer" => GrainId.Create(GrainTypeOf(keyKind), GrainIdKeyExtensions.CreateIntegerKey(Random.Shared.NextInt64())),
        "integer+extension" => GrainId.Create(GrainTypeOf(keyKind), GrainIdKeyExtensions.CreateIntegerKey(Random.Shared.NextInt64(), "ext")),
        "string" => GrainId.Create(GrainTypeOf(keyKind), $"msg-{Guid.NewGuid():N}"),
        _ => throw new ArgumentOutOfRangeException(nameof(keyKind), keyKind, "unknown key kind"),
    };

    // Rows of one grain: matched on the parts of its id that never collide between test grains.
    private Task<long> CountRowsAsync(GrainId grainId)
    {
        string? extension;
        long n0 = 0, n1 = 0;
        if (grainId.TryGetGuidKey(out var guid, out extension))
        {
            var bytes = guid.ToByteArray();
            n0 = BitConverter.ToInt64(bytes, 0);
            n1 = BitConverter.ToInt64(bytes, 8);
        }
        else if (grainId.TryGetIntegerKey(out var integer, out extension))
        {
            n1 = integer;
        }
        else
        {
            extension = grainId.Key.ToString();
        }

        return fixture.ScalarAsync<long>(
            """
            SELECT count(*) FROM orleans_grain_state
             WHERE service_id = @service AND grain_type = @type
               AND grain_id_n0 = @n0 AND grain_id_n1 = @n1 AND grain_id_ext IS NOT DISTINCT FROM @ext::text
            """,
            ("service", OrleansContractFixture.ServiceId), ("type", StateGrainType), ("n0", n0), ("n1", n1), ("ext", extension));
    }
}
