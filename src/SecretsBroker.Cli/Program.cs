using SecretsBroker.Cli;

return await Sbctl.RunAsync(args, Console.Out, Console.Error, Console.In, Environment.GetEnvironmentVariable);
