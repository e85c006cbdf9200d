using Orleans.Mail.EndToEnd.Tests;

// One engine for the whole assembly; tests that kill processes start their own.
[assembly: AssemblyFixture(typeof(MailCluster))]
