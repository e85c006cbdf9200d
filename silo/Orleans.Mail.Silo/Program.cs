using Microsoft.Extensions.Hosting;
using Orleans.Mail.Silo.Extensions;

// `Orleans.Mail.Silo migrate` applies the database schema and exits; otherwise the silo runs.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
if (args is ["migrate", ..])
{
    builder.MigrateMailDatabase();
    return;
}

builder.AddMailSilo();
await builder.Build().RunAsync();
