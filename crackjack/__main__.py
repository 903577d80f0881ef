from crackjack.cli.entry import main

main()
