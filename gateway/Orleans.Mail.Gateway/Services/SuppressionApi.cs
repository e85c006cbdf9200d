using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Orleans.Mail.Api.V1;
using Orleans.Mail.Gateway.Auth;
using Orleans.Mail.Gateway.Validation;
using Orleans.Mail.Suppression;
using ApiSuppression = Orleans.Mail.Api.V1.Suppression;

namespace Orleans.Mail.Gateway.Services;

/// <summary>The <c>SuppressionService</c> adapter: validates addresses, forwards to the suppression grain.</summary>
public sealed class SuppressionApi(IGrainFactory grains) : SuppressionService.SuppressionServiceBase
{
    private const int MaxAddresses = 1000;
    private const int MaxPageSize = 1000;

    private ISuppressionGrain Grain => grains.GetGrain<ISuppressionGrain>(0);

    /// <inheritdoc />
    public override async Task<AddSuppressionsResponse> AddSuppressions(AddSuppressionsRequest request, ServerCallContext context)
    {
        var addresses = Validate(request.Addresses);
        if (MailRules.HasLineBreak(request.Reason))
        {
            throw BadRequests.Single("reason", "must not contain CR or LF");
        }

        if (MailRules.TextProblem(request.Reason, 1000, allowLineBreaks: false) is { } problem)
        {
            throw BadRequests.Single("reason", problem);
        }

        var added = await Grain.Add(context.Tenant(), addresses, request.Reason.Length == 0 ? "added by API" : request.Reason);
        return new AddSuppressionsResponse { Added = added };
    }

    /// <inheritdoc />
    public override async Task<RemoveSuppressionsResponse> RemoveSuppressions(RemoveSuppressionsRequest request, ServerCallContext context) =>
        new() { Removed = await Grain.Remove(context.Tenant(), Validate(request.Addresses)) };

    /// <inheritdoc />
    public override async Task<CheckSuppressionsResponse> CheckSuppressions(CheckSuppressionsRequest request, ServerCallContext context)
    {
        var entries = await Grain.Check(context.Tenant(), Validate(request.Addresses));
        var response = new CheckSuppressionsResponse();
        response.Suppressed.AddRange(entries.Select(ToApi));
        return response;
    }

    /// <inheritdoc />
    public override async Task<ListSuppressionsResponse> ListSuppressions(ListSuppressionsRequest request, ServerCallContext context)
    {
        var pageSize = request.PageSize == 0 ? 100 : request.PageSize;
        if (pageSize is < 1 or > MaxPageSize)
        {
            throw BadRequests.Single("page_size", $"must be 1 to {MaxPageSize}");
        }

        string? after = null;
        if (request.PageToken.Length > 0)
        {
            try
            {
                after = new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Convert.FromBase64String(request.PageToken));
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException)
            {
                throw BadRequests.Single("page_token", "is not a token from a previous response");
            }

            if (MailRules.TextProblem(after, 320, allowLineBreaks: false) is not null)
            {
                throw BadRequests.Single("page_token", "is not a token from a previous response");
            }
        }

        var page = await Grain.List(context.Tenant(), after, pageSize);
        var response = new ListSuppressionsResponse
        {
            NextPageToken = page.NextAfter is { } next ? Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(next)) : string.Empty,
        };
        response.Suppressions.AddRange(page.Entries.Select(ToApi));
        return response;
    }

    private static string[] Validate(IReadOnlyList<string> addresses)
    {
        if (addresses.Count is 0 or > MaxAddresses)
        {
            throw BadRequests.Single("addresses", $"give 1 to {MaxAddresses} addresses");
        }

        var errors = new FieldErrors();
        for (var i = 0; i < addresses.Count; i++)
        {
            if (MailRules.AddressProblem(addresses[i]) is { } problem)
            {
                errors.Add($"addresses[{i}]", problem);
            }
        }

        errors.ThrowIfAny();
        return addresses.Select(a => a.Trim()).ToArray();
    }

    private static ApiSuppression ToApi(SuppressionEntry entry) => new()
    {
        Address = entry.Address,
        Reason = entry.Reason,
        Class = entry.Class,
        CreatedAt = Timestamp.FromDateTimeOffset(entry.CreatedAt),
    };
}
