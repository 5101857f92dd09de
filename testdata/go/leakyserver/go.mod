module leakyserver

go 1.19
