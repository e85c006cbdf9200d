using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Orleans.Mail.Gateway.Admin;

/// <summary>
/// HTTP Basic authentication (RFC 7617) for everything on the admin port: the Orleans dashboard has no
/// authentication of its own and shows grain state. Credentials are compared in constant time.
/// </summary>
public sealed class AdminBasicAuthMiddleware(RequestDelegate next, IOptionsMonitor<GatewayOptions> options)
{
    /// <summary>Passes the request on when its credentials match, else answers 401 with a challenge.</summary>
    public Task InvokeAsync(HttpContext context)
    {
        var settings = options.CurrentValue;
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            var expected = Encoding.UTF8.GetBytes($"{settings.AdminUser}:{settings.AdminPassword}");
            byte[] given;
            try
            {
                given = Convert.FromBase64String(header[6..].Trim());
            }
            catch (FormatException)
            {
                given = [];
            }

            if (CryptographicOperations.FixedTimeEquals(given, expected))
            {
                return next(context);
            }
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Basic realm=\"Orleans.Mail admin\", charset=\"UTF-8\"";
        return Task.CompletedTask;
    }
}
