using System.Collections.Concurrent;
using Orleans.Runtime;

namespace Orleans.Mail.Storage.Tests;

/// <summary>A grain that registers a durable reminder and counts how often it fires.</summary>
public interface IContractReminderGrain : IGrainWithStringKey
{
    Task StartAsync(string reminderName, TimeSpan period);

    Task StopAsync(string reminderName);

    Task<int> GetTicksAsync(string reminderName);
}

public sealed class ContractReminderGrain : Grain, IContractReminderGrain, IRemindable
{
    // Keyed by grain key and reminder name, so a count survives deactivation of the grain.
    private static readonly ConcurrentDictionary<string, int> Ticks = new();

    public async Task StartAsync(string reminderName, TimeSpan period) =>
        await this.RegisterOrUpdateReminder(reminderName, dueTime: period, period: period);

    public async Task StopAsync(string reminderName)
    {
        var reminder = await this.GetReminder(reminderName);
        if (reminder is not null)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    public Task<int> GetTicksAsync(string reminderName) =>
        Task.FromResult(Ticks.GetValueOrDefault(TickKey(reminderName)));

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        Ticks.AddOrUpdate(TickKey(reminderName), 1, (_, count) => count + 1);
        return Task.CompletedTask;
    }

    private string TickKey(string reminderName) => $"{this.GetPrimaryKeyString()}/{reminderName}";
}

/// <summary>Grain state written through the ADO.NET grain storage provider.</summary>
[GenerateSerializer]
public sealed class ContractState
{
    [Id(0)]
    public string Subject { get; set; } = "";

    [Id(1)]
    public int Count { get; set; }
}
