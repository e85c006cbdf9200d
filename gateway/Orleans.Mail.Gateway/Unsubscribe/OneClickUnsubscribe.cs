using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Orleans.Mail.Suppression;

namespace Orleans.Mail.Gateway.Unsubscribe;

/// <summary>
/// Everything served on the public port: <c>POST /u/{token}</c> with the form body <c>List-Unsubscribe=One-Click</c>
/// (RFC 8058 §3.2) verifies the token and puts its address on its tenant's suppression list. No API key, cookie or
/// redirect: the mailbox provider calls it. A GET never unsubscribes (link scanners follow links); it shows a page
/// with a button that POSTs. Bad or forged tokens get 400 without detail; any other path 404, other methods 405.
/// </summary>
public sealed partial class OneClickUnsubscribe(IGrainFactory grains, IOptions<UnsubscribeEndpointOptions> options, ILogger<OneClickUnsubscribe> logger)
{
    /// <summary>The suppression reason recorded for a one-click unsubscribe.</summary>
    public const string Reason = "one-click unsubscribe";

    /// <summary>The largest accepted request body, in bytes: 4,096.</summary>
    public const int MaxBodyBytes = 4096;

    private const string PathPrefix = "/u/";

    private const string Page =
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta name=\"robots\" content=\"noindex\"><title>Unsubscribe</title></head>" +
        "<body><p>To unsubscribe from these emails, press the button.</p>" +
        "<form method=\"post\"><input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\"><button type=\"submit\">Unsubscribe</button></form>" +
        "</body></html>";

    /// <summary>Answers one request on the public port (terminal: nothing else runs there).</summary>
    public Task InvokeAsync(HttpContext context) =>
        HandleAsync(context, options.Value.Secret, token => grains.GetGrain<ISuppressionGrain>(0).Add(token.TenantId, [token.Address], Reason), logger);

    /// <summary>The request handling, with the suppression call given as <paramref name="suppress"/> (for tests).</summary>
    internal static async Task HandleAsync(HttpContext context, string secret, Func<UnsubscribeToken, Task> suppress, ILogger logger)
    {
        var response = context.Response;
        response.Headers.CacheControl = "no-store";
        var path = context.Request.Path.Value ?? string.Empty;
        if (!path.StartsWith(PathPrefix, StringComparison.Ordinal) || path.Length == PathPrefix.Length || path.IndexOf('/', PathPrefix.Length) >= 0)
        {
            await Text(response, StatusCodes.Status404NotFound, "Not found.");
            return;
        }

        var method = context.Request.Method;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method))
        {
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "text/html; charset=utf-8";
            if (HttpMethods.IsGet(method))
            {
                await response.WriteAsync(Page);
            }

            return;
        }

        if (!HttpMethods.IsPost(method))
        {
            response.Headers.Allow = "GET, HEAD, POST";
            await Text(response, StatusCodes.Status405MethodNotAllowed, "Method not allowed.");
            return;
        }

        if (!await IsOneClickBodyAsync(context))
        {
            await Text(response, StatusCodes.Status400BadRequest, "Bad request.");
            return;
        }

        if (!UnsubscribeToken.TryVerify(secret, path[PathPrefix.Length..], out var token))
        {
            LogRejected(logger);
            await Text(response, StatusCodes.Status400BadRequest, "Bad request.");
            return;
        }

        try
        {
            await suppress(token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(logger, ex, token.TenantId);
            response.Headers.RetryAfter = "60";
            await Text(response, StatusCodes.Status503ServiceUnavailable, "Please try again later.");
            return;
        }

        LogUnsubscribed(logger, token.TenantId, token.CampaignId);
        await Text(response, StatusCodes.Status200OK, "You have been unsubscribed.");
    }

    /// <summary>True when the body is a form (urlencoded or multipart) with <c>List-Unsubscribe=One-Click</c>.</summary>
    private static async Task<bool> IsOneClickBodyAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentLength is > MaxBodyBytes || !request.HasFormContentType)
        {
            return false;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes;
        }

        try
        {
            var form = await request.ReadFormAsync(context.RequestAborted);
            return form.TryGetValue("List-Unsubscribe", out var values)
                && values.Count == 1
                && string.Equals(values[0], "One-Click", StringComparison.OrdinalIgnoreCase);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or BadHttpRequestException)
        {
            return false;
        }
    }

    private static Task Text(HttpResponse response, int status, string text)
    {
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        return response.WriteAsync(text + "\n");
    }

    [LoggerMessage(EventId = 5301, Level = LogLevel.Information, Message = "One-click unsubscribe for tenant {Tenant}, campaign {CampaignId}")]
    private static partial void LogUnsubscribed(ILogger logger, string tenant, Guid campaignId);

    [LoggerMessage(EventId = 5302, Level = LogLevel.Warning, Message = "One-click unsubscribe with a bad or forged token")]
    private static partial void LogRejected(ILogger logger);

    [LoggerMessage(EventId = 5303, Level = LogLevel.Error, Message = "One-click unsubscribe for tenant {Tenant} failed; answered 503")]
    private static partial void LogFailed(ILogger logger, Exception exception, string tenant);
}
