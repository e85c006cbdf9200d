using Orleans.Mail.Cli;

return await CliApp.RunAsync(args);
