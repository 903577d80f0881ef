from crackjack.cli.app import main

main()
