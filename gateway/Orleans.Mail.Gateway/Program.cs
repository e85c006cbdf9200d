using Orleans.Mail.Gateway.Extensions;

// Configuration files sit beside the binary, wherever the process is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddMailGateway();

var app = builder.Build();
app.MapMailGateway();
app.Run();
