/// Every command of the tool, in the order `crm --help` lists them.
let allCommands: [CommandSpec] = setupCommands + userCommands + sectorCommands + sectorRuleCommands + accountCommands
    + contactCommands + personalDataCommands + noteCommands + searchCommands + opportunityCommands + stageCommands
    + lossReasonCommands + pipelineCommands + activityCommands + followUpCommands + holidayCommands
    + timelineCommands + quoteCommands + vatCommands + openingCommands + importCommands + exportCommands
    + settingCommands + pluginCommands + pluginKitCommands + packCommands + packTestCommands + decisionCommands
    + ruleCommands + databaseCommands + objectiveCommands
